// Prompts on a terminal (through script(1)'s pseudo-terminal) against the real `serve --dev`: hidden password prompt, y/N for reject.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, runOnTty, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";

const dirs = tempDirs("ofpds-cli-tty-");
const PASSWORD = "correct horse battery 1";
let pds: RunningPds;
beforeAll(async () => {
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: PASSWORD, RATE_LIMITS_ENABLED: "false" });
});
afterAll(async () => {
  await pds?.stop();
});
// script(1) gives the CLI a real terminal; it ships with Debian's essential bsdutils, so it is always there.

/** Runs ofpds on a pseudo-terminal, typing `keys` once it shows `prompt`. */
const onTty = (args: string[], prompt: string, keys: string, env: Record<string, string>) => runOnTty([...args, "-s", pds.url], prompt, keys, env);
const saved = (home: string) => JSON.parse(readFileSync(join(home, "ofpds", "sessions.json"), "utf8"))[pds.url] as { accessJwt: string; did: string };
const cliJson = async (args: string[], home: string) => {
  const r = await runCli([...args, "--json", "-s", pds.url], { env: { XDG_CONFIG_HOME: home } });
  if (r.code !== 0) throw new Error(`ofpds ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
const pendingDids = async (home: string) => ((await cliJson(["account", "list-pending"], home)).users as Array<{ did: string }>).map((u) => u.did);

describe("on a terminal", () => {
  test("auth login prompts for the password without echoing it; the saved session is the admin's and works", async () => {
    const home = dirs();
    const r = await onTty(["auth", "login", "-u", "admin"], "Password for admin", `${PASSWORD}\r`, { XDG_CONFIG_HOME: home });
    expect(r.out).toContain("Logged in to");
    expect(r.out).not.toContain(PASSWORD);
    const s = saved(home);
    const me = await fetch(`${pds.url}/xrpc/com.atproto.server.getSession`, { headers: { authorization: `Bearer ${s.accessJwt}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { did: string }).did).toBe(s.did);
  }, 30_000);

  test("account reject asks y/N: n leaves the registration pending, y rejects it", async () => {
    const home = dirs();
    const login = await onTty(["auth", "login", "-u", "admin"], "Password for admin", `${PASSWORD}\r`, { XDG_CONFIG_HOME: home });
    expect(login.out).toContain("Logged in to");
    const invite = await cliJson(["invite", "create"], home);
    const res = await fetch(`${pds.url}/xrpc/net.openfederation.account.register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ handle: "xavier", email: "xavier@example.org", password: "User-password-5678", inviteCode: invite.code }),
    });
    expect(res.status).toBe(200);
    const reg = (await res.json()) as { did: string; handle: string; status: string };
    expect(reg.status).toBe("pending");

    const no = await onTty(["account", "reject", "xavier"], "Reject xavier?", "n\r", { XDG_CONFIG_HOME: home });
    expect(no.out).toContain("Cancelled");
    expect(await pendingDids(home)).toContain(reg.did);

    const yes = await onTty(["account", "reject", "xavier"], "Reject xavier?", "y\r", { XDG_CONFIG_HOME: home });
    expect(yes.out).toContain(`Rejected ${reg.handle}`);
    expect(await pendingDids(home)).not.toContain(reg.did);
  }, 40_000);
});
