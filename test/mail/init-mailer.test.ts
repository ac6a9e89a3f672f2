// `ofpds init --smtp-url-file --email-from` (08 §2, 10 §9): the config references the secret file (never the URL inline)
// and parses as a production mailer; the flags come together and follow the mailer's rules (exit 2, nothing written).
import { expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDirs } from "../_support/process.ts";
import { readRawConfig } from "../../src/config/raw.ts";
import { buildConfig } from "../../src/config/build.ts";

const dir = tempDirs("ofpds-init-mail-");
const SMTP = "smtp://mailer:s3cret-pw@mail.example.org:587";

async function init(extra: (d: string) => string[]) {
  const d = dir();
  const pw = join(d, "pw.txt");
  writeFileSync(pw, "correct-Horse-battery-9\n", { mode: 0o600 });
  writeFileSync(join(d, "smtp_url"), SMTP + "\n", { mode: 0o600 });
  const config = join(d, "config.toml");
  const r = await runCli(["init", "--json", "--config", config, "--data-dir", join(d, "data"), "--hostname", "pds.example.org", "--admin-handle", "alice", "--admin-email", "alice@example.org", "--admin-password-file", pw, "--no-bluesky-services", ...extra(d)]);
  return { r, config, d };
}

test("the written config points SMTP_URL_FILE at the file and sets EMAIL_FROM; it loads as an SMTP mailer", async () => {
  const { r, config, d } = await init((d) => ["--smtp-url-file", join(d, "smtp_url"), "--email-from", '"Example PDS" <noreply@pds.example.org>']);
  expect(r.code).toBe(0);
  const text = readFileSync(config, "utf8");
  expect(text).toContain(`smtp_url_file = ${JSON.stringify(join(d, "smtp_url"))}`);
  expect(text).toContain(`email_from = ${JSON.stringify('"Example PDS" <noreply@pds.example.org>')}`);
  expect(text).not.toContain("s3cret-pw");
  const { raw } = readRawConfig({ configPath: config, env: {} });
  const built = buildConfig(raw);
  expect(built.config.mail).toEqual({ mode: "smtp", from: '"Example PDS" <noreply@pds.example.org>', smtpHost: "mail.example.org" });
  expect(built.secrets.smtpUrl).toBe(SMTP);
  expect(built.problems.filter((p) => /SMTP|EMAIL/.test(p))).toEqual([]);
}, 30_000);

test.each([
  ["--smtp-url-file without --email-from", (d: string) => ["--smtp-url-file", join(d, "smtp_url")], "--email-from is required with an SMTP URL"],
  ["--email-from without --smtp-url-file", () => ["--email-from", "noreply@pds.example.org"], "--email-from needs --smtp-url-file"],
  ["an unreadable --smtp-url-file", (d: string) => ["--smtp-url-file", join(d, "missing"), "--email-from", "noreply@pds.example.org"], "Cannot read --smtp-url-file"],
  ["a bad --email-from", (d: string) => ["--smtp-url-file", join(d, "smtp_url"), "--email-from", "nobody"], "EMAIL_FROM must be an address"],
])("%s → exit 2, nothing written", async (_name, extra, message) => {
  const { r, config } = await init(extra);
  expect(r.code).toBe(2);
  expect(r.stderr + r.stdout).toContain(message);
  expect(r.stderr + r.stdout).not.toContain("s3cret-pw");
  expect(existsSync(config)).toBe(false);
}, 30_000);
