// `ofpds tui` in a real terminal: tmux runs it (the compiled binary under OFPDS_BIN) against `serve --dev`; keys in, capture-pane out, server state checked over HTTP.
import { afterAll, afterEach, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { ADMIN, call, ok, register, startEnv, type Env } from "../account/_support.ts";
import { ofpdsCommand, runCli, tempDirs } from "../_support/process.ts";
import { ensureTmux, TmuxTui } from "./_tmux.ts";

setDefaultTimeout(60_000);
const dirs = tempDirs("ofpds-tui-");
let env: Env;
/** XDG_CONFIG_HOME with a CLI session for the admin (`ofpds auth login`) */
let home: string;
const open: TmuxTui[] = [];

beforeAll(async () => {
  ensureTmux();
  env = await startEnv();
  home = dirs();
  const login = await runCli(["auth", "login", "-u", ADMIN.handle, "--password-stdin", "-s", env.url], { stdin: ADMIN.password + "\n", env: { XDG_CONFIG_HOME: home } });
  expect(login.code).toBe(0);
});
afterEach(() => open.splice(0).forEach((t) => t.kill()));
afterAll(async () => {
  await env?.stop();
});

async function tui(opts: { home?: string; env?: Record<string, string>; args?: string[]; columns?: number; rows?: number } = {}): Promise<TmuxTui> {
  const t = await TmuxTui.start(["tui", "-s", env.url, ...(opts.args ?? [])], { env: { XDG_CONFIG_HOME: opts.home ?? home, ...opts.env }, columns: opts.columns, rows: opts.rows });
  open.push(t);
  return t;
}

const admin = () => env.admin.accessJwt;
const pendingDids = async () =>
  ((await ok(call(env.url, "net.openfederation.account.listPending", { token: admin(), params: { limit: 100 } }))).users as Array<{ did: string }>).map((u) => u.did);
const invites = async () => (await ok(call(env.url, "net.openfederation.invite.list", { token: admin(), params: { limit: 100 } }))).invites as Array<Record<string, unknown>>;

test("not a terminal: `ofpds tui | cat` and a piped run exit 2 with the spec's message, nothing drawn", async () => {
  const piped = await runCli(["tui", "-s", env.url], { env: { XDG_CONFIG_HOME: home } });
  expect(piped.code).toBe(2);
  expect(piped.stdout).toBe("");
  expect(piped.stderr).toContain("ofpds tui needs an interactive terminal; use the CLI commands instead");

  // In a real terminal, only stdout piped: still refused.
  const cmd = [...ofpdsCommand(), "tui", "-s", env.url].map((s) => `'${s}'`).join(" ");
  const t = await TmuxTui.start([], { env: { XDG_CONFIG_HOME: home }, shell: `${cmd} | cat; echo "[tui exit \${PIPESTATUS[0]}]"` });
  open.push(t);
  const screen = await t.waitFor("[tui exit 2]");
  expect(screen).toContain("ofpds tui needs an interactive terminal; use the CLI commands instead");
});

test("no saved session: the login form signs in and saves the CLI's session (0600); a wrong password is shown inline with its name", async () => {
  const fresh = dirs();
  const t = await tui({ home: fresh });
  await t.waitFor("Handle, email or DID");
  t.type(ADMIN.handle);
  t.keys("Enter");
  t.type("wrong-password-1");
  t.keys("Enter");
  await t.waitFor("✘ Invalid identifier or password (Unauthorized)");
  expect(existsSync(join(fresh, "ofpds", "sessions.json"))).toBe(false);
  // The identifier is kept and the cursor is on the (cleared) password.
  await t.waitFor(`Handle, email or DID: ${ADMIN.handle}`);
  t.type(ADMIN.password);
  t.keys("Enter");
  await t.waitFor("Pending approval:");
  const file = join(fresh, "ofpds", "sessions.json");
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const whoami = await runCli(["auth", "whoami", "--json", "-s", env.url], { env: { XDG_CONFIG_HOME: fresh } });
  expect([whoami.code, JSON.parse(whoami.stdout).handle]).toEqual([0, "admin.test"]);
  t.keys("q");
  await t.waitFor("[exit 0]");
});

test("Approvals: `a` approves the oldest registration, `x` rejects the next with a reason; the server agrees after each key", async () => {
  const first = await register(env);
  const second = await register(env);
  const t = await tui();
  await t.waitFor("Pending approval:");
  t.keys("2");
  await t.waitFor(`${first.handle}`);
  await t.waitFor(`${second.handle}`);

  t.keys("a");
  await t.waitFor(`✔ Approved ${first.handle}`);
  expect(await pendingDids()).not.toContain(first.did);
  expect(await pendingDids()).toContain(second.did);
  const s = await call(env.url, "com.atproto.server.createSession", { body: { identifier: first.handle, password: "Correct-horse-9" } });
  expect(s.status).toBe(200);

  t.keys("x");
  await t.waitFor(`Reject ${second.handle}`);
  t.type("spam sign-up");
  t.keys("Enter");
  await t.waitFor(`✔ Rejected ${second.handle}`);
  expect(await pendingDids()).not.toContain(second.did);
  const audit = await ok(call(env.url, "net.openfederation.audit.list", { token: admin(), params: { action: "account.reject", targetDid: second.did } }));
  expect(audit.entries.map((e: { meta: unknown }) => e.meta)).toEqual([{ previousStatus: "pending", reason: "spam sign-up" }]);

  // Approving an already-resolved account (rejected meanwhile elsewhere) shows the server's error name inline.
  const third = await register(env);
  t.keys("r");
  await t.waitFor(third.handle);
  await ok(call(env.url, "net.openfederation.account.reject", { token: admin(), body: { did: third.did } }));
  t.keys("a");
  await t.waitFor("(AlreadyResolved)");
  t.keys("1");
  await t.waitFor("Pending approval: 0");
});

test("Invites: `c` creates an invite from the form; a bad max-uses sends nothing; a server refusal is shown with its name", async () => {
  const t = await tui();
  await t.waitFor("Pending approval:");
  t.keys("3");
  await t.waitFor("Invites —");
  const before = (await invites()).length;
  // 30 days ahead at midnight UTC (the server allows at most 365 days)
  const expiresAt = new Date(Math.floor(Date.now() / 86_400_000 + 30) * 86_400_000).toISOString();

  t.keys("c");
  await t.waitFor("Create an invite");
  t.keys("BSpace");
  t.type("lots");
  t.keys("Enter", "Enter", "Enter", "Enter");
  await t.waitFor("Max uses must be a whole number");
  expect((await invites()).length).toBe(before);

  // The form is still open with what was typed and the cursor on max uses: fix it, give an expiry the server refuses.
  await t.waitFor("› Max uses: lots");
  t.keys("BSpace", "BSpace", "BSpace", "BSpace");
  t.type("3");
  t.keys("Enter");
  t.type("next tuesday");
  t.keys("Enter", "Enter", "Enter");
  await t.waitFor("Input/expiresAt must be an AT Protocol datetime (e.g. 1985-04-12T23:20:50.123Z) (InvalidRequest)");
  expect((await invites()).length).toBe(before);

  // The cursor moved to the field the server named.
  await t.waitFor("› Expires: next tuesday");
  for (let i = 0; i < "next tuesday".length; i++) t.keys("BSpace");
  t.type(expiresAt);
  t.keys("Enter");
  t.type("guest@example.org");
  t.keys("Enter");
  t.type("from tmux");
  t.keys("Enter");
  const screen = await t.waitFor("✔ Created invite");
  const code = /✔ Created invite (\S+)/.exec(screen)![1]!;
  const all = await invites();
  expect(all.length).toBe(before + 1);
  expect(all.find((i) => i.code === code)).toMatchObject({ code, maxUses: 3, usesCount: 0, status: "active", expiresAt, boundTo: "guest@example.org", note: "from tmux" });

  // R asks y/N; "n" sends nothing, "y" revokes.
  await t.waitFor(new RegExp(`›${code}`));
  t.keys("R");
  await t.waitFor(`Revoke invite ${code}? (y/N)`);
  t.keys("n");
  await t.waitFor(`✘ Cancelled: revoke invite ${code}`);
  expect((await invites()).find((i) => i.code === code)?.status).toBe("active");
  t.keys("R");
  await t.waitFor(`Revoke invite ${code}? (y/N)`);
  t.keys("y");
  await t.waitFor(`✔ Revoked invite ${code}`);
  expect((await invites()).find((i) => i.code === code)?.status).toBe("revoked");
});

test("resize to 40×10: a 'terminal too small' line, no crash; back to 100×30 the screen returns and still works", async () => {
  // CI=true (as on CI machines) must not switch Ink's interactive mode off: the TUI checked the terminal itself.
  const t = await tui({ env: { CI: "true" } });
  await t.waitFor("Pending approval:");
  t.resize(40, 10);
  await t.waitFor("Terminal too small: 40×10");
  t.resize(100, 30);
  await t.waitFor("Pending approval:");
  t.keys("?");
  await t.waitFor("Help — keys");
  t.keys("Escape");
  await t.waitFor("Pending approval:");
  t.keys("q");
  await t.waitFor("[exit 0]");
});

test("NO_COLOR=1 and --no-color: the captured screen carries no escape codes; without them it is coloured", async () => {
  const coloured = await tui();
  expect(await coloured.waitFor("Pending approval:")).toBeTruthy();
  expect(coloured.screen(true)).toContain("\x1b[");
  coloured.kill();

  for (const opts of [{ env: { NO_COLOR: "1" } }, { args: ["--no-color"] }]) {
    const t = await tui(opts);
    await t.waitFor("Pending approval:");
    t.keys("2");
    await t.waitFor("Approvals —");
    expect(t.screen(true)).not.toContain("\x1b");
    t.kill();
  }
});

test("Ctrl-K opens the palette in a real terminal; Ctrl-C quits from inside a form (exit 0) and leaves nothing sent", async () => {
  const before = (await invites()).length;
  const t = await tui();
  await t.waitFor("Pending approval:");
  t.keys("C-k");
  await t.waitFor("Command palette");
  t.type("create");
  await t.waitFor("› Invites: Create an invite (c)");
  t.keys("Enter");
  await t.waitFor("› Max uses: 1");
  t.type("7");
  t.keys("C-c");
  await t.waitFor("[exit 0]");
  expect((await invites()).length).toBe(before);
});
