// `ofpds init` offers the Bluesky service values (10 §9): written by default, left out with --no-bluesky-services;
// the written config passes the production checks (https URLs, DIDs in pairs) and getConfig-visible settings parse.
import { expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDirs } from "../_support/process.ts";
import { buildConfig } from "../../src/config/build.ts";

const dir = tempDirs("ofpds-init-proxy-");

async function init(extra: string[]) {
  const d = dir();
  const pw = join(d, "pw.txt");
  writeFileSync(pw, "correct-Horse-battery-9\n", { mode: 0o600 });
  const config = join(d, "config.toml");
  const r = await runCli(["init", "--json", "--config", config, "--data-dir", join(d, "data"), "--hostname", "pds.example.org", "--admin-handle", "alice", "--admin-email", "alice@example.org", "--admin-password-file", pw, ...extra]);
  expect(r.code).toBe(0);
  return readFileSync(config, "utf8");
}

test("by default the Bluesky AppView, chat and report service are configured, and parse as production settings", async () => {
  const text = await init([]);
  const raw: Record<string, string> = {};
  for (const m of text.matchAll(/^(bsky_\w+|report_service_\w+) = "(.*)"$/gm)) raw[m[1]!.toUpperCase()] = m[2]!;
  expect(raw).toEqual({
    BSKY_APP_VIEW_URL: "https://api.bsky.app", BSKY_APP_VIEW_DID: "did:web:api.bsky.app",
    BSKY_CHAT_URL: "https://api.bsky.chat", BSKY_CHAT_DID: "did:web:api.bsky.chat",
    REPORT_SERVICE_URL: "https://mod.bsky.app", REPORT_SERVICE_DID: "did:plc:ar7c4by46qjdydhdevvrndac",
  });
  const { config, problems } = buildConfig({ ...raw, OFPDS_ENV: "production", PDS_HOSTNAME: "pds.example.org" });
  expect(problems.filter((p) => /BSKY|REPORT/.test(p))).toEqual([]);
  expect(config.proxy.appView).toEqual({ url: "https://api.bsky.app", did: "did:web:api.bsky.app" });
}, 30_000);

test("--no-bluesky-services leaves them out", async () => {
  expect(await init(["--no-bluesky-services"])).not.toMatch(/bsky_|report_service/);
}, 30_000);

test("production refuses a service URL without its DID, an http URL, and a malformed DID (the settings' own rules)", () => {
  const base = { OFPDS_ENV: "production", PDS_HOSTNAME: "pds.example.org" };
  const problems = (extra: Record<string, string>) => buildConfig({ ...base, ...extra }).problems.filter((p) => /BSKY|REPORT/.test(p));
  expect(problems({ BSKY_APP_VIEW_URL: "https://api.bsky.app" })).toEqual(["BSKY_APP_VIEW_DID is missing: BSKY_APP_VIEW_URL and BSKY_APP_VIEW_DID are set together"]);
  expect(problems({ REPORT_SERVICE_DID: "did:plc:ar7c4by46qjdydhdevvrndac" })).toEqual(["REPORT_SERVICE_URL is missing: REPORT_SERVICE_URL and REPORT_SERVICE_DID are set together"]);
  expect(problems({ BSKY_CHAT_URL: "http://chat.example.org", BSKY_CHAT_DID: "did:web:chat.example.org" })).toEqual(['BSKY_CHAT_URL must use https (got "http://chat.example.org")']);
  expect(problems({ BSKY_CHAT_URL: "https://chat.example.org", BSKY_CHAT_DID: "chat.example.org" })).toEqual(['BSKY_CHAT_DID must be a did:plc or did:web (got "chat.example.org")']);
  // outside production http is allowed (loopback test services)
  expect(buildConfig({ BSKY_CHAT_URL: "http://localhost:1234", BSKY_CHAT_DID: "did:web:localhost%3A1234" }, { dev: true }).problems).toEqual([]);
});
