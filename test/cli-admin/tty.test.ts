// Prompts on a terminal (through script(1)'s pseudo-terminal): hidden password prompt, y/N confirmation for reject.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runOnTty, tempDirs } from "../_support/process.ts";
import { startFakePds } from "./_fake-pds.ts";

const dirs = tempDirs("ofpds-cli-tty-");
const fake = startFakePds();
afterAll(() => fake.stop());
// script(1) gives the CLI a real terminal; it ships with Debian's essential bsdutils, so it is always there.

/** Runs ofpds on a pseudo-terminal, typing `keys` once it shows `prompt`. */
const onTty = (args: string[], prompt: string, keys: string, env: Record<string, string>) => runOnTty([...args, "-s", fake.url], prompt, keys, env);

describe("on a terminal", () => {
  test("auth login prompts for the password without echoing it", async () => {
    const home = dirs();
    const r = await onTty(["auth", "login", "-u", "admin"], "Password for admin", "correct horse battery\r", { XDG_CONFIG_HOME: home });
    expect(r.out).toContain("Logged in to");
    expect(r.out).not.toContain("correct horse battery");
    expect(fake.callsTo("com.atproto.server.createSession").at(-1)!.body.password).toBe("correct horse battery");
    expect(JSON.parse(readFileSync(join(home, "ofpds", "sessions.json"), "utf8"))[fake.url].did).toBe("did:plc:admin");
  }, 20_000);
  test("account reject asks y/N: n sends nothing, y rejects", async () => {
    const home = dirs();
    const login = await onTty(["auth", "login", "-u", "admin"], "Password for admin", "correct horse battery\r", { XDG_CONFIG_HOME: home });
    expect(login.out).toContain("Logged in to");
    fake.canned.set("net.openfederation.account.reject", { status: 200, body: { did: "did:plc:x", handle: "x.test", email: "x@example.org", status: "rejected" } });
    const n = fake.callsTo("net.openfederation.account.reject").length;
    const no = await onTty(["account", "reject", "x"], "Reject x?", "n\r", { XDG_CONFIG_HOME: home });
    expect(no.out).toContain("Cancelled");
    expect(fake.callsTo("net.openfederation.account.reject").length).toBe(n);
    const yes = await onTty(["account", "reject", "x"], "Reject x?", "y\r", { XDG_CONFIG_HOME: home });
    expect(yes.out).toContain("Rejected x.test");
    expect(fake.callsTo("net.openfederation.account.reject").length).toBe(n + 1);
    fake.canned.delete("net.openfederation.account.reject");
  }, 30_000);
});
