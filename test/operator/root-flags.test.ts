// Root flags (--json, -q, --no-color) before the verb reach the verb, or are refused: never silently ignored.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startPds } from "../_support/pds.ts";
import { runCli, tempDirs } from "../_support/process.ts";

const dir = tempDirs("ofpds-op-flags-");

describe("root flags before the verb", () => {
  test("`ofpds --json invite list` prints JSON (never a table) and `-q` before the verb silences messages", async () => {
    const pds = await startPds();
    try {
      const home = dir();
      const env = { HOME: home, XDG_CONFIG_HOME: join(home, ".config") };
      const file = join(pds.dataDir, "dev-admin.txt");
      const password = /^password: (.+)$/m.exec(await Bun.file(file).text())![1]!;
      const login = await runCli(["-q", "auth", "login", "-s", pds.url, "-u", "admin.test", "--password-stdin"], { stdin: password, env });
      expect(login.code).toBe(0);
      expect(login.stderr).toBe(""); // -q before the verb reached `auth login`
      const created = await runCli(["--json", "invite", "create", "-s", pds.url], { env });
      expect(created.code).toBe(0);
      const { code } = JSON.parse(created.stdout) as { code: string };
      const listed = await runCli(["--json", "invite", "list", "-s", pds.url], { env });
      expect(listed.code).toBe(0);
      const body = JSON.parse(listed.stdout) as { invites: Array<{ code: string }> };
      expect(body.invites.map((c) => c.code)).toContain(code);
      // The same flag after the verb gives the same document.
      const after = await runCli(["invite", "list", "-s", pds.url, "--json"], { env });
      expect(JSON.parse(after.stdout)).toEqual(body);
    } finally {
      await pds.stop();
    }
  }, 60_000);

  test("a failure with --json before the verb: empty stdout, the JSON error on stderr", async () => {
    const home = dir();
    const r = await runCli(["--json", "invite", "list", "-s", "http://127.0.0.1:9"], { env: { HOME: home, XDG_CONFIG_HOME: join(home, ".config") } });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ error: "NotLoggedIn", exitCode: 3 });
  });

  test.each([
    [["--server", "http://x", "invite", "list"], "Unknown flag --server"],
    [["--bogus", "invite", "list"], "Unknown flag --bogus"],
  ])("%j is a usage error, not ignored", async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
  });
});
