// Community confirmations on a terminal (script(1) pseudo-terminal): typed handle for takedown, y/N for suspend.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runCli, runOnTty, tempDirs } from "../_support/process.ts";
import { startFakePds } from "../cli-admin/_fake-pds.ts";

const dirs = tempDirs("ofpds-cli-community-tty-");
const fake = startFakePds();
const NS = "net.openfederation.community.";
let home: string;

const onTty = (args: string[], prompt: string, keys: string) => runOnTty([...args, "-s", fake.url], prompt, keys, { XDG_CONFIG_HOME: home });

beforeAll(async () => {
  home = dirs();
  fake.canned.set("com.atproto.server.describeServer", { status: 200, body: { did: "did:web:fake", availableUserDomains: [".test"] } });
  fake.canned.set(NS + "get", { status: 200, body: { did: "did:plc:garden", handle: "gardeners.test", status: "active" } });
  fake.canned.set(NS + "takedown", { status: 200, body: { did: "did:plc:garden", status: "takendown" } });
  fake.canned.set(NS + "suspend", { status: 200, body: { did: "did:plc:garden", status: "suspended" } });
  const r = await runCli(["auth", "login", "-u", "admin", "--password-stdin", "-s", fake.url], { stdin: "correct horse battery", env: { XDG_CONFIG_HOME: home } });
  expect(r.code).toBe(0);
});
afterAll(() => fake.stop());

describe("community confirmations on a terminal", () => {
  test("takedown: a wrong handle sends nothing (exit 2); the right handle takes it down", async () => {
    const wrong = await onTty(["community", "takedown", "gardeners"], "Type the handle to confirm", "orchard\r");
    expect(wrong.out).toContain("did not match");
    expect(wrong.code).toBe(2);
    expect(fake.callsTo(NS + "takedown").length).toBe(0);
    const right = await onTty(["community", "takedown", "gardeners"], "Type the handle to confirm", "gardeners.test\r");
    expect(right.out).toContain("Took down gardeners (did:plc:garden): takendown");
    expect(fake.callsTo(NS + "takedown").length).toBe(1);
  }, 30_000);
  test("suspend asks y/N: n sends nothing, y suspends", async () => {
    const no = await onTty(["community", "suspend", "gardeners"], "Suspend gardeners.test?", "n\r");
    expect(no.out).toContain("Cancelled");
    expect(fake.callsTo(NS + "suspend").length).toBe(0);
    const yes = await onTty(["community", "suspend", "gardeners"], "Suspend gardeners.test?", "y\r");
    expect(yes.out).toContain("Suspended gardeners");
    expect(fake.callsTo(NS + "suspend").length).toBe(1);
  }, 30_000);
});
