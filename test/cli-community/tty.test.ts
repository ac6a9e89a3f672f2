// Community confirmations on a terminal (script(1) pseudo-terminal) against the real `serve --dev`: typed handle for takedown, y/N for suspend.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runCli, runOnTty, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";

const dirs = tempDirs("ofpds-cli-community-tty-");
const PASSWORD = "Admin-password-1234";
let pds: RunningPds;
let home: string;

const onTty = (args: string[], prompt: string, keys: string) => runOnTty([...args, "-s", pds.url], prompt, keys, { XDG_CONFIG_HOME: home });
async function cliJson(args: string[]) {
  const r = await runCli([...args, "--json", "-s", pds.url], { env: { XDG_CONFIG_HOME: home } });
  if (r.code !== 0) throw new Error(`ofpds ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
const statusOf = async (name: string) => ((await cliJson(["community", "get", name])) as { status: string }).status;

let garden: { did: string; handle: string };
let orchard: { did: string; handle: string };
beforeAll(async () => {
  home = dirs();
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: PASSWORD, RATE_LIMITS_ENABLED: "false" });
  const r = await runCli(["auth", "login", "-u", "admin", "--password-stdin", "-s", pds.url], { stdin: PASSWORD, env: { XDG_CONFIG_HOME: home } });
  expect(r.code).toBe(0);
  garden = await cliJson(["community", "create", "-n", "gardeners", "-m", "plc"]);
  orchard = await cliJson(["community", "create", "-n", "orchard", "-m", "plc"]);
  // the server only takes down a community its owner has exported since the latest commit (ExportRequired otherwise)
  expect((await cliJson(["community", "export", "gardeners"])).community.did).toBe(garden.did);
});
afterAll(async () => {
  await pds?.stop();
});

describe("community confirmations on a terminal", () => {
  test("takedown: a wrong handle changes nothing (exit 2); the right handle takes it down", async () => {
    const wrong = await onTty(["community", "takedown", "gardeners"], "Type the handle to confirm", "orchard\r");
    expect(wrong.out).toContain("did not match");
    expect(wrong.code).toBe(2);
    expect(await statusOf("gardeners")).toBe("active");
    const right = await onTty(["community", "takedown", "gardeners"], "Type the handle to confirm", `${garden.handle}\r`);
    expect(right.out).toContain(`Took down gardeners (${garden.did}): takendown`);
    expect(await statusOf(garden.did)).toBe("takendown");
  }, 30_000);
  test("suspend asks y/N: n changes nothing, y suspends", async () => {
    const no = await onTty(["community", "suspend", "orchard"], `Suspend ${orchard.handle}?`, "n\r");
    expect(no.out).toContain("Cancelled");
    expect(await statusOf("orchard")).toBe("active");
    const yes = await onTty(["community", "suspend", "orchard"], `Suspend ${orchard.handle}?`, "y\r");
    expect(yes.out).toContain("Suspended orchard");
    expect(await statusOf("orchard")).toBe("suspended");
  }, 30_000);
});
