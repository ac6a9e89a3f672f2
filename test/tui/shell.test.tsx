// TUI component tests (ink-testing-library frames) against a real server: navigation, help, too small, refresh, approvals, confirmation.
import { afterAll, afterEach, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { useState } from "react";
import { Text } from "ink";
import { render } from "ink-testing-library";
import { ConfirmTyped, typedMatches } from "../../tui/components/confirm-typed.tsx";
import { filterEntries } from "../../tui/components/palette.tsx";
import { UiContext, type Ui } from "../../tui/lib/ui.tsx";
import { approvedUser, call, ok, register, startEnv, type Env } from "../account/_support.ts";
import { tempDirs, waitFor } from "../_support/process.ts";
import { SessionStore } from "../../cmd/_shared/session-store.ts";
import { KEY, renderTui } from "./_render.tsx";

setDefaultTimeout(30_000);
const dirs = tempDirs("ofpds-tui-frames-");
let env: Env;
let home: string;
const mounted: Array<{ unmount(): void }> = [];

beforeAll(async () => {
  env = await startEnv();
  home = dirs();
  new SessionStore(home).set(env.url, { did: env.admin.did, handle: "admin.test", accessJwt: env.admin.accessJwt, refreshJwt: env.admin.refreshJwt });
});
afterEach(() => mounted.splice(0).forEach((m) => m.unmount()));
afterAll(async () => {
  await env?.stop();
});

/** A queue row (checkbox, then the handle), not the logged "✔ Approved …" line. */
const listRow = (handle: string) => new RegExp(`\\] +${handle.replace(/\./g, "\\.")} `);

function tui() {
  const t = renderTui(env.url, home);
  mounted.push(t);
  return t;
}

test("navigation: 1–3, Tab and Shift-Tab switch screens; 4–7 name the screens this version has", async () => {
  const t = tui();
  await t.until("Pending approval:");
  expect(t.frame()).toContain("[1 Dashboard]");
  t.press("2");
  await t.until("[2 Approvals]");
  await t.until("Approvals —");
  t.press("3");
  await t.until("Invites —");
  t.press(KEY.tab);
  await t.until("[1 Dashboard]");
  t.press(KEY.shiftTab);
  await t.until("[3 Invites]");
  t.press(KEY.shiftTab);
  await t.until("[2 Approvals]");
  t.press("5");
  await t.until("Screen 5 is not in this version; screens: 1 Dashboard, 2 Approvals, 3 Invites");
  expect(t.frame()).toContain("[2 Approvals]");
});

test("help overlay: ? shows the shell's and the screen's keys; other keys do nothing meanwhile; Esc closes", async () => {
  const t = tui();
  await t.until("Pending approval:");
  t.press("2");
  await t.until("Approvals —");
  t.press("?");
  const help = await t.until("Help — keys");
  expect(help).toContain("switch screen (Dashboard, Approvals, Invites)");
  expect(help).toContain("reject (asks a reason)");
  t.press("3");
  expect(t.frame()).toContain("Help — keys");
  expect(t.frame()).toContain("[2 Approvals]");
  t.press(KEY.escape);
  await t.until("Approvals —");
  expect(t.frame()).not.toContain("Help — keys");
});

test("terminal too small: below 80×24 one clear line and no keys; back to size the screen returns", async () => {
  const t = tui();
  await t.until("Pending approval:");
  t.resize(40, 10);
  const small = await t.until("Terminal too small: 40×10");
  expect(small).toContain("needs at least 80×24");
  expect(small).not.toContain("Pending approval:");
  t.press("2");
  t.resize(80, 23);
  await t.until("Terminal too small: 80×23");
  t.resize(80, 24);
  await t.until("Pending approval:");
  expect(t.frame()).toContain("[1 Dashboard]");
});

test("dashboard: refreshes when the 10 s ticker fires (stats re-read), and on r", async () => {
  const t = tui();
  await t.until("refreshed 1 time ·");
  const before = (await ok(call(env.url, "net.openfederation.server.getConfig", { token: env.admin.accessJwt }))).stats.pendingUsers as number;
  await t.until(`Pending approval: ${before}`);
  await register(env);
  expect(t.ticker.fire(10_000)).toBe(1);
  await t.until(`Pending approval: ${before + 1}`);
  await t.until("refreshed 2 times");
  t.press("r");
  await t.until("refreshed 3 times");
  // Leaving the screen stops its timer.
  t.press("2");
  await t.until("Approvals —");
  expect(t.ticker.fire(10_000)).toBe(0);
});

test("approvals: `a` calls account.approve and the row leaves the queue; Space + A approves the selection", async () => {
  const a = await register(env);
  const b = await register(env);
  const c = await register(env);
  const t = tui();
  await t.until("Pending approval:");
  t.press("2");
  await t.until(c.handle);
  // The queue is oldest first and may hold older registrations: move down to a's row.
  const queue = (
    (await ok(call(env.url, "net.openfederation.account.listPending", { token: env.admin.accessJwt, params: { limit: 100 } }))).users as Array<{ handle: string }>
  ).map((u) => u.handle);
  expect(queue.slice(-3)).toEqual([a.handle, b.handle, c.handle]);
  await t.until(new RegExp(`›\\[ \\] +${queue[0]}`));
  for (let i = 1; i <= queue.indexOf(a.handle); i++) {
    t.press("j");
    await t.until(new RegExp(`›\\[ \\] +${queue[i]}`));
  }
  t.press("a");
  await t.untilGone(listRow(a.handle));
  await t.until(`✔ Approved ${a.handle} (${a.did})`);
  const pending = async () =>
    ((await ok(call(env.url, "net.openfederation.account.listPending", { token: env.admin.accessJwt, params: { limit: 100 } }))).users as Array<{ did: string }>).map((u) => u.did);
  expect(await pending()).not.toContain(a.did);
  expect(await pending()).toEqual(expect.arrayContaining([b.did, c.did]));

  await t.until(new RegExp(`›\\[ \\] +${b.handle}`));
  t.press(" ");
  await t.until("1 selected");
  t.press("j");
  await t.until(new RegExp(`›\\[ \\] +${c.handle}`));
  t.press(" ");
  await t.until("2 selected");
  t.press("A");
  await t.untilGone(listRow(c.handle));
  await t.untilGone(listRow(b.handle));
  expect(await pending()).not.toContain(b.did);
  expect(await pending()).not.toContain(c.did);
});

/** A severe action behind ConfirmTyped: `run` is the request it would send. */
function Severe({ log, run, done }: { log: string[]; run: () => void; done: (ok: boolean) => void }) {
  const ui = { log: (l: string) => log.push(l), setCapture() {}, status() {}, fail: () => ({ name: "", line: "" }), keysEnabled: true, bodyRows: 18 } as unknown as Ui;
  const [open, setOpen] = useState(true);
  return (
    <UiContext.Provider value={ui}>
      {open ? (
        <ConfirmTyped
          action="Take down community alice.example.org"
          target="alice.example.org"
          onDone={(ok) => {
            setOpen(false);
            if (ok) run();
            done(ok);
          }}
        />
      ) : (
        <Text>closed</Text>
      )}
    </UiContext.Provider>
  );
}

test("typed-handle confirmation: a wrong handle or Esc cancels with nothing run; the exact handle (any case) confirms; each collapses to one line", async () => {
  const cases: Array<[keys: string[], confirmed: boolean, line: string]> = [
    [["alice.example.com", KEY.enter], false, '✘ Cancelled: Take down community alice.example.org (typed "alice.example.com", not alice.example.org)'],
    [["alice", KEY.escape], false, "✘ Cancelled: Take down community alice.example.org"],
    [[KEY.enter], false, "✘ Cancelled: Take down community alice.example.org"],
    [["Alice.Example.ORG", KEY.enter], true, "✔ Confirmed: Take down community alice.example.org"],
  ];
  for (const [keys, confirmed, line] of cases) {
    const log: string[] = [];
    let runs = 0;
    let result: boolean | undefined;
    const r = render(<Severe log={log} run={() => runs++} done={(ok) => (result = ok)} />);
    mounted.push(r);
    expect(r.lastFrame()).toContain("Take down community alice.example.org? Type alice.example.org to confirm");
    for (const k of keys) r.stdin.write(k);
    await waitFor(async () => result !== undefined, 5_000, "the confirmation to finish");
    expect([result, runs, log]).toEqual([confirmed, confirmed ? 1 : 0, [line]]);
    await waitFor(async () => r.lastFrame() === "closed", 5_000, "the prompt to collapse");
  }
  expect(typedMatches(" alice.example.org ", "alice.example.org")).toBe(true);
  expect(typedMatches("alice.example.or", "alice.example.org")).toBe(false);
});

test("a saved session the server refuses (refresh refused): the entry is removed and the login form comes back, naming the error", async () => {
  const stale = dirs();
  new SessionStore(stale).set(env.url, { did: env.admin.did, handle: "admin.test", accessJwt: "not-a-jwt", refreshJwt: "not-a-jwt-either" });
  const t = renderTui(env.url, stale);
  mounted.push(t);
  const frame = await t.until("Handle, email or DID");
  expect(frame).toContain(`✘ Your session for ${env.url} has expired or was revoked`);
  expect(frame).toMatch(/\((InvalidToken|ExpiredToken)\): log in again/);
  expect(frame.match(/log in again/g)?.length).toBe(1);
  expect(new SessionStore(stale).get(env.url)).toBeUndefined();
});

test("command palette: Ctrl-K, typing filters screens and actions fuzzily, Enter runs the entry (switching screens), Esc closes", async () => {
  const t = tui();
  await t.until("Pending approval:");
  t.press("\x0b"); // Ctrl-K
  const all = await t.until("Command palette");
  expect(all).toContain("Go to Approvals (2)");
  expect(all).toContain("Invites: Create an invite (c)");
  t.press("g", "o", "a", "p");
  await t.until("› goap");
  expect(t.frame()).toContain("› Go to Approvals (2)");
  expect(t.frame()).not.toContain("Go to Invites");
  t.press(KEY.enter);
  await t.until("[2 Approvals]");
  await t.until("Approvals —");

  // An action on another screen: switches there and runs it (the invite form opens).
  t.press("\x0b");
  await t.until("Command palette");
  for (const k of "crinv") t.press(k);
  await t.until("› Invites: Create an invite (c)");
  t.press(KEY.enter);
  await t.until("› Max uses: 1");
  expect(t.frame()).toContain("[3 Invites]");
  t.press(KEY.escape);
  await t.untilGone(/Max uses/);
  await t.until("Invites · ? help"); // the shell has the keys again

  t.press("\x0b");
  await t.until("Command palette");
  t.press("z", "z", "z");
  await t.until("(nothing matches)");
  t.press(KEY.escape);
  await t.untilGone(/Command palette/);
  expect(t.frame()).toContain("Invites —");
  expect(
    filterEntries(
      [
        { label: "Go to Invites (3)", run() {} },
        { label: "Invites: Create an invite (c)", run() {} },
      ],
      "inv",
    ).map((e) => e.label),
  ).toEqual(["Invites: Create an invite (c)", "Go to Invites (3)"]);
});

test("an overlay hides the screen without unmounting it: the selection survives the help overlay; Enter/Esc open and close a row's details", async () => {
  const x = await register(env);
  const t = tui();
  await t.until("Pending approval:");
  t.press("2");
  await t.until(x.handle);
  while (!new RegExp(`›\\[ \\] +${x.handle.replace(/\./g, "\\.")}`).test(t.frame())) {
    const before = t.frame();
    t.press("j");
    await waitFor(async () => t.frame() !== before, 5_000, "the cursor to move");
  }
  t.press(" ");
  await t.until("1 selected");
  t.press("?");
  await t.until("Help — keys");
  t.press(KEY.escape);
  await t.until("1 selected");
  expect(t.frame()).toMatch(new RegExp(`›\\[x\\] +${x.handle.replace(/\./g, "\\.")}`));

  // Enter opens the row's details (every field), Esc goes back to the list with the selection kept.
  t.press(KEY.enter);
  const detail = await t.until(`Registration ${x.handle}`);
  expect(detail).toMatch(new RegExp(`did +${x.did}`));
  expect(detail).toMatch(/createdVia +register/);
  t.press(KEY.escape);
  await t.untilGone(/Registration /);
  expect(t.frame()).toMatch(new RegExp(`›\\[x\\] +${x.handle.replace(/\./g, "\\.")}`));
});

test("roles: a screen the account lacks the role for is shown disabled with the reason and calls nothing; a moderator starts on Approvals", async () => {
  const mod = await approvedUser(env);
  await ok(call(env.url, "net.openfederation.account.updateRoles", { token: env.admin.accessJwt, body: { did: mod.did, addRoles: ["moderator"] } }));
  const modHome = dirs();
  new SessionStore(modHome).set(env.url, { did: mod.did, handle: `${mod.name}.test`, accessJwt: mod.accessJwt, refreshJwt: mod.refreshJwt });
  const t = renderTui(env.url, modHome);
  mounted.push(t);
  const first = await t.until("Approvals —");
  expect(first).toContain("1 Dashboard (no access)");
  expect(first).toContain("[2 Approvals]");
  expect(first).not.toContain("Invites (no access)");
  t.press("1");
  const dash = await t.until("✘ Dashboard needs the admin or auditor role");
  expect(dash).toContain(`${mod.name}.test has only moderator.`);
  expect(dash).not.toContain("Pending approval:");
  t.press("\x0b");
  const palette = await t.until("Command palette");
  expect(palette).not.toContain("Dashboard: Refresh");
  expect(palette).toContain("Approvals: Approve the current registration");
  t.unmount();

  const plain = await approvedUser(env);
  const plainHome = dirs();
  new SessionStore(plainHome).set(env.url, { did: plain.did, handle: `${plain.name}.test`, accessJwt: plain.accessJwt, refreshJwt: plain.refreshJwt });
  // Every request the server answered, by path (serve logs one line per request).
  const staffCalls = () =>
    env.pds
      .logs()
      .split("\n")
      .filter((l) => /"path":"\/xrpc\/net\.openfederation\.(server|account|invite|audit)\./.test(l)).length;
  const before = staffCalls();
  const u = renderTui(env.url, plainHome);
  mounted.push(u);
  const none = await u.until("needs the admin or auditor role");
  expect(none).toContain(`${plain.name}.test has no staff role.`);
  expect(none).toContain("1 Dashboard (no access)");
  expect(none).toContain("2 Approvals (no access)");
  expect(none).toContain("3 Invites (no access)");
  u.press("3");
  await u.until("✘ Invites needs the admin or moderator or auditor role");
  expect(staffCalls()).toBe(before);
});

test("invites: f cycles the status filter (the list is the server's for that status); R then y revokes the current invite", async () => {
  const code = (await ok(call(env.url, "net.openfederation.invite.create", { token: env.admin.accessJwt, body: { note: "filter-check" } }))).code as string;
  const total = async (status?: string) => (await ok(call(env.url, "net.openfederation.invite.list", { token: env.admin.accessJwt, params: { limit: 1, ...(status ? { status } : {}) } }))).total as number;
  const t = tui();
  await t.until("Pending approval:");
  t.press("3");
  await t.until(`Invites — ${await total()} (all statuses)`);
  t.press("f");
  const active = await t.until(`Invites — ${await total("active")} active`);
  expect(active).toContain(code);
  expect(active).not.toContain("exhausted ");
  t.press("f");
  await t.until(`Invites — ${await total("expired")} expired`);
  expect(t.frame()).not.toContain(code);
  t.press("f", "f", "f");
  await t.until("(all statuses)");
  t.press("f");
  await t.until(new RegExp(`›${code}`)); // the newest active invite is first
  t.press("R");
  await t.until(`Revoke invite ${code}? (y/N)`);
  t.press("y");
  await t.until(`✔ Revoked invite ${code}`);
  await t.untilGone(new RegExp(`${code} +active`));
  const row = ((await ok(call(env.url, "net.openfederation.invite.list", { token: env.admin.accessJwt, params: { status: "revoked", limit: 100 } }))).invites as Array<{ code: string }>).find((i) => i.code === code);
  expect(row).toBeDefined();
});

test("paging: n / PgDn load the next page by the server's cursor, p / PgUp the previous one", async () => {
  for (let i = 0; i < 11; i++) await ok(call(env.url, "net.openfederation.invite.create", { token: env.admin.accessJwt, body: { note: `page-${i}` } }));
  const first = (await ok(call(env.url, "net.openfederation.invite.list", { token: env.admin.accessJwt, params: { limit: 10 } }))) as { invites: Array<{ code: string }>; cursor: string };
  const second = (await ok(call(env.url, "net.openfederation.invite.list", { token: env.admin.accessJwt, params: { limit: 10, cursor: first.cursor } }))) as { invites: Array<{ code: string }> };
  const t = tui();
  await t.until("Pending approval:");
  t.press("3");
  await t.until(first.invites[9]!.code);
  expect(t.frame()).toContain("more: n / PgDn");
  t.press("n");
  await t.until("· page 2");
  await t.until(second.invites[0]!.code);
  expect(t.frame()).not.toContain(first.invites[0]!.code);
  t.press("p");
  await t.untilGone(/· page 2/);
  await t.until(first.invites[0]!.code);
  t.press(KEY.pageDown);
  await t.until("· page 2");
});
