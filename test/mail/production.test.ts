// The mailer settings outside --dev (10 §5.1, §9): without SMTP_URL a warning at start and 501 on the mail methods;
// SMTP_URL without EMAIL_FROM, or with another scheme, is refused with exit 78 and never echoes the URL's password.
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, ofpdsCommand, REPO, runCli, tempDirs, waitFor } from "../_support/process.ts";
import { testDbEnv } from "../_support/db.ts";

const dir = tempDirs("ofpds-mail-prod-");
const BASE = [`pds_hostname = "pds.example.org"`, `auth_jwt_secret = "${"j".repeat(48)}"`, `key_encryption_secret = "${"k".repeat(48)}"`];
const ENV = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" };

function configFile(lines: string[]): string {
  const path = join(dir(), "config.toml");
  writeFileSync(path, [...BASE, ...lines].join("\n"), { mode: 0o600 });
  return path;
}

describe("production without SMTP_URL", () => {
  test("starts with a warning; methods that must mail answer 501 MethodNotImplemented and write nothing", async () => {
    const port = await freePort();
    const d = dir();
    const args = ["serve", "--config", configFile([`port = ${port}`]), "--data-dir", join(d, "data")];
    const proc = Bun.spawn([...ofpdsCommand(), ...args], { cwd: REPO, env: testDbEnv(args, ENV, REPO), stdout: "pipe", stderr: "pipe" });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/xrpc/_health`)).ok, 20_000, "production server");
      const res = await fetch(`http://127.0.0.1:${port}/xrpc/com.atproto.server.requestPasswordReset`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "someone@example.org" }) });
      expect(res.status).toBe(501);
      expect(await res.json()).toEqual({ error: "MethodNotImplemented", message: "This server cannot send email (SMTP_URL is not set)" });
    } finally {
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
    }
    const stderr = await new Response(proc.stderr).text();
    expect(stderr).toContain("SMTP_URL is not set");
  });
});

describe("refused mailer settings (exit 78)", () => {
  test.each([
    ["SMTP_URL without EMAIL_FROM", [`smtp_url = "smtp://user:s3cret-pw@mail.example.org:587"`], "EMAIL_FROM is required when SMTP_URL is set"],
    ["SMTP_URL of another scheme", [`smtp_url = "https://user:s3cret-pw@mail.example.org"`, `email_from = "noreply@pds.example.org"`], "SMTP_URL must be smtp://"],
    ["EMAIL_FROM that is no address", [`smtp_url = "smtps://user:s3cret-pw@mail.example.org"`, `email_from = "nobody"`], "EMAIL_FROM must be an address"],
  ])("%s", async (_name, lines, message) => {
    const r = await runCli(["serve", "--config", configFile(lines), "--data-dir", join(dir(), "data")], { env: ENV });
    expect(r.code).toBe(78);
    expect(r.stderr + r.stdout).toContain(message);
    expect(r.stderr + r.stdout).not.toContain("s3cret-pw");
  });
});
