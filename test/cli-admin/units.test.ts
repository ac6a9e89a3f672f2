// Unit tests of the CLI client's pure parts: config dir, server URLs, exit-code mapping, targets, flags, tables.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { cliErrorFromResponse, exitCodeFor, normalizeServer, parseTimeout, secondsLeft } from "../../cmd/_shared/client.ts";
import { configDir, SessionStore } from "../../cmd/_shared/session-store.ts";
import { dateFlag, intFlag, repeated } from "../../cmd/_shared/input.ts";
import { table } from "../../cmd/_shared/table.ts";
import { parseTarget } from "../../cmd/account/_target.ts";
import { collectAll } from "../../cmd/_shared/paging.ts";
import { tempDirs } from "../_support/process.ts";

const dirs = tempDirs("ofpds-cli-units-");
const savedXdg = process.env.XDG_CONFIG_HOME;
afterEach(() => {
  if (savedXdg === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = savedXdg;
});

describe("session store", () => {
  test("the config dir honours XDG_CONFIG_HOME (env-paths, no suffix)", () => {
    process.env.XDG_CONFIG_HOME = "/tmp/xdg-test";
    expect(configDir()).toBe("/tmp/xdg-test/ofpds");
    expect(new SessionStore().path).toBe("/tmp/xdg-test/ofpds/sessions.json");
  });
  test("set/get/delete keyed by server; the newest entry's server is the default", () => {
    let now = Date.parse("2026-01-01T00:00:00.000Z");
    const store = new SessionStore(join(dirs(), "ofpds"), undefined, () => now);
    expect(store.latestServer()).toBeUndefined();
    store.set("http://a", { did: "did:plc:a", handle: "a", accessJwt: "x", refreshJwt: "y" });
    now += 1;
    store.set("http://b", { did: "did:plc:b", handle: "b", accessJwt: "x", refreshJwt: "y" });
    expect(store.latestServer()).toBe("http://b");
    expect(store.get("http://a")?.did).toBe("did:plc:a");
    expect(store.delete("http://b")).toBe(true);
    expect(store.delete("http://b")).toBe(false);
    expect(store.latestServer()).toBe("http://a");
  });
  test("withLock serialises concurrent holders", async () => {
    const store = new SessionStore(join(dirs(), "ofpds"));
    let inside = 0;
    let max = 0;
    await Promise.all(Array.from({ length: 5 }, () => store.withLock(async () => {
      max = Math.max(max, ++inside);
      // yield to the event loop a few times inside the lock: another holder would get in here if the lock leaked
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      inside--;
    })));
    expect(max).toBe(1);
  });
});

describe("client helpers", () => {
  test.each([
    ["localhost:8080", "http://localhost:8080"],
    ["127.0.0.1:2583/", "http://127.0.0.1:2583"],
    ["pds.example.org", "https://pds.example.org"],
    ["HTTPS://PDS.Example.org/", "https://pds.example.org"],
  ])("normalizeServer(%s) = %s", (input, want) => expect(normalizeServer(input)).toBe(want));
  test("bad servers and timeouts are usage errors", () => {
    expect(() => normalizeServer("ftp://x")).toThrow("http(s)");
    expect(() => parseTimeout("0")).toThrow("--timeout");
    expect(parseTimeout(undefined)).toBe(30000);
  });
  test("secondsLeft reads exp; garbage is undefined", () => {
    // only the payload's exp is read (the CLI never verifies tokens), so a hand-built one with a fixed clock is exact
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const jwt = `${b64({ alg: "ES256K", typ: "at+jwt" })}.${b64({ sub: "did:plc:x", exp: 1_700_000_100 })}.sig`;
    expect(secondsLeft(jwt, 1_700_000_000_000)).toBe(100);
    expect(secondsLeft(`${b64({ alg: "ES256K" })}.${b64({ sub: "did:plc:x" })}.sig`)).toBeUndefined();
    expect(secondsLeft("not-a-jwt")).toBeUndefined();
  });
  test.each([
    [400, "InvalidRequest", 2], [400, "", 2], [400, "ExpiredToken", 3], [401, "InvalidToken", 3], [403, "InviteExpired", 3],
    [403, "AccountNotApproved", 3], [404, "MethodNotFound", 4], [400, "HandleNotFound", 4], [400, "AlreadyRevoked", 5],
    [400, "InvalidStatus", 5], [409, "Conflict", 5], [429, "RateLimitExceeded", 6], [401, "AccountLocked", 6], [503, "ServiceUnavailable", 1],
  ])("exitCodeFor(%i, %s) = %i", (status, name, code) => expect<number>(exitCodeFor(status, name)).toBe(code));
  test("error text: server message, name in parentheses, the fix last", () => {
    const e = cliErrorFromResponse(403, { error: "InviteExpired", message: "Invite code has expired" }, { nsid: "x", server: "http://s" });
    expect(e.message).toBe("Invite code has expired (InviteExpired)");
    const r = cliErrorFromResponse(429, { error: "AccountLocked", message: "Locked", retryAfter: 60 }, { nsid: "x", server: "http://s" });
    expect(r.message.split("\n")).toEqual(["Locked (AccountLocked)", "Try again in 60 s"]);
    expect(cliErrorFromResponse(502, "<html>", { nsid: "a.b", server: "http://s" }).message).toStartWith("a.b failed with HTTP 502 (HTTP502)");
  });
});

describe("argument helpers", () => {
  test.each([
    ["did:plc:abc", { did: "did:plc:abc" }],
    ["Alice@Example.org", { email: "alice@example.org" }],
    ["@Alice.pds.test", { handle: "alice.pds.test" }],
    ["alice", { handle: "alice" }],
  ])("parseTarget(%s)", (input, want) => expect(parseTarget(input)).toEqual(want));
  test("repeated flags: --x a --x=b --x c,d; stops at --", () => {
    expect(repeated(["--add", "a", "--add=b", "x", "--add", "c,d", "--", "--add", "e"], "add")).toEqual(["a", "b", "c", "d"]);
  });
  test("intFlag and dateFlag", () => {
    expect(intFlag("5", "limit")).toBe(5);
    expect(intFlag(undefined, "limit")).toBeUndefined();
    expect(() => intFlag("1.5", "limit")).toThrow("--limit");
    expect(dateFlag("2026-01-01", "since")).toBe("2026-01-01T00:00:00.000Z");
    expect(() => dateFlag("soon", "since")).toThrow("--since");
  });
  test("table aligns columns and shows - for empty cells", () => {
    expect(table([{ a: "x", b: ["r", "s"] }, { a: "long", b: [] }], [["A", "a"], ["B", "b"]])).toBe("A     B\nx     r,s\nlong  -");
    expect(table([], [["A", "a"]], "(none)")).toBe("(none)");
  });
  test("collectAll follows cursors and refuses a cursor loop", async () => {
    const pages: Record<string, { items: number[]; cursor?: string; total: number }> = { "": { items: [1, 2], cursor: "a", total: 3 }, a: { items: [3], total: 3 } };
    expect(await collectAll("items", async (c) => pages[c ?? ""]!)).toEqual({ items: [1, 2, 3], total: 3 });
    await expect(collectAll("items", async () => ({ items: [1], cursor: "same" }))).rejects.toThrow("same cursor");
  });
});
