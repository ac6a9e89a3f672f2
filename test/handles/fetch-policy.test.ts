// Outbound fetch policy (02 §7): address classification, strict refusals with no connection, redirects, caps, Host/SNI.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { FetchRefusedError, forbiddenAddress, OutboundFetchPolicy } from "../../src/identity/fetch-policy.ts";

const hits: string[] = [];
let server: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const path = new URL(req.url).pathname;
      hits.push(`${req.headers.get("host")} ${path}`);
      if (path === "/redirect") return new Response(null, { status: 302, headers: { Location: "http://127.0.0.1/" } });
      if (path === "/big") return new Response("x".repeat(70_000));
      return new Response("hello");
    },
  });
});
afterAll(() => server.stop(true));

describe("forbiddenAddress", () => {
  const refused = [
    "127.0.0.1", "127.255.0.9", "10.0.0.5", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1", "192.0.2.7", "198.51.100.1", "203.0.113.9", "198.18.0.1", "192.0.0.8",
    "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "2001:db8::1", "::ffff:127.0.0.1", "::ffff:10.0.0.5",
    "::ffff:7f00:1", "64:ff9b::a00:5", "2002:7f00:1::",
  ];
  const allowed = ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"];
  for (const a of refused) test(`refuses ${a}`, () => expect(forbiddenAddress(a)).toBeString());
  for (const a of allowed) test(`allows ${a}`, () => expect(forbiddenAddress(a)).toBeUndefined());
});

describe("strict policy", () => {
  const strict = (addrs: string[]) =>
    new OutboundFetchPolicy({ allowPrivate: false, lookup: async () => addrs.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })), portOverride: server.port });

  const cases: Array<[string, string, string[]]> = [
    ["name → 127.0.0.1", "https://evil.example.com/x", ["127.0.0.1"]],
    ["name → 10.0.0.5", "https://evil.example.com/x", ["10.0.0.5"]],
    ["one public + one private address", "https://mixed.example.com/x", ["8.8.8.8", "10.0.0.5"]],
    ["IPv4-mapped loopback", "https://mapped.example.com/x", ["::ffff:127.0.0.1"]],
    ["literal IP", "https://127.0.0.1/x", []],
    ["literal IPv6", "https://[::1]/x", []],
    ["localhost", "https://localhost/x", ["127.0.0.1"]],
    ["*.localhost", "https://a.b.localhost/x", ["127.0.0.1"]],
    ["plain http", "http://public.example.com/x", ["8.8.8.8"]],
    ["other scheme", "ftp://public.example.com/x", ["8.8.8.8"]],
  ];
  for (const [label, url, addrs] of cases) {
    test(`${label} → refused, no connection attempted`, async () => {
      const before = hits.length;
      await expect(strict(addrs).fetchText(url)).rejects.toBeInstanceOf(FetchRefusedError);
      expect(hits.length).toBe(before);
    });
  }
});

describe("development policy (private allowed)", () => {
  const dev = new OutboundFetchPolicy({ allowPrivate: true, lookup: async () => [{ address: "127.0.0.1", family: 4 }], portOverride: undefined });
  const url = (host: string, path: string) => `http://${host}:${server.port}${path}`;

  test("connects to the vetted address with Host = the name", async () => {
    const r = await dev.fetchText(url("alice.example.com", "/ok"));
    expect(r).toEqual({ status: 200, body: "hello" });
    expect(hits.at(-1)).toBe(`alice.example.com:${server.port} /ok`);
  });
  test("redirects are not followed", async () => {
    await expect(dev.fetchText(url("a.example.com", "/redirect"))).rejects.toThrow("redirects are not followed");
  });
  test("body cap", async () => {
    await expect(dev.fetchText(url("a.example.com", "/big"), { maxBytes: 64 * 1024 })).rejects.toThrow("too large");
    expect((await dev.fetchText(url("a.example.com", "/big"))).body.length).toBe(70_000);
  });
  test("unresolvable name → refused", async () => {
    const p = new OutboundFetchPolicy({ allowPrivate: true, lookup: async () => { throw new Error("ENOTFOUND"); } });
    await expect(p.fetchText("https://nowhere.example.com/")).rejects.toBeInstanceOf(FetchRefusedError);
  });
});
