// `ofpds auth app-passwords` / `auth app-password create|revoke` against the real `serve --dev`: JSON, confirmation, server state after.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { runCli, tempDirs } from "../_support/process.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { call, ok } from "../_support/xrpc.ts";

const dirs = tempDirs("ofpds-cli-apppw-");
const ADMIN_PASSWORD = "Admin-password-1234";
const USER_PASSWORD = "User-password-5678";
const SHAPE = /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/;
let pds: RunningPds;
let home: string;

beforeAll(async () => {
  pds = await startPds({ BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD, RATE_LIMITS_ENABLED: "false" });
  home = dirs();
  const admin = (await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: ADMIN_PASSWORD } }))).accessJwt;
  const code = (await ok(call(pds.url, "net.openfederation.invite.create", { token: admin, body: {} }))).code;
  const reg = await ok(call(pds.url, "net.openfederation.account.register", { body: { handle: "paula", email: "paula@example.org", password: USER_PASSWORD, inviteCode: code } }));
  await ok(call(pds.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
  const login = await cli(["auth", "login", "-u", "paula", "--password-stdin"], USER_PASSWORD + "\n");
  expect(login.code).toBe(0);
});
afterAll(async () => {
  await pds?.stop();
});

const cli = (args: string[], stdin?: string, h = home) => runCli([...args, "-s", pds.url], { stdin, env: { XDG_CONFIG_HOME: h } });
const login = (password: string) => call(pds.url, "com.atproto.server.createSession", { body: { identifier: "paula", password } });
const scopeOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()).scope as string;

test("create prints the password once (human: stdout is only the password; --json: the XRPC body); it logs in with the app-password scope", async () => {
  const human = await cli(["auth", "app-password", "create", "phone"]);
  expect(human.code).toBe(0);
  expect(human.stdout.trim()).toMatch(SHAPE);
  expect(human.stderr).toContain("shown only this once");
  const s = await ok(login(human.stdout.trim()));
  expect(scopeOf(s.accessJwt)).toBe("com.atproto.appPass");

  const json = await cli(["auth", "app-password", "create", "chat client", "--privileged", "--json"]);
  expect(json.stderr).toBe("");
  const body = JSON.parse(json.stdout);
  expect([json.code, body.name, body.privileged, SHAPE.test(body.password)]).toEqual([0, "chat client", true, true]);
  expect(scopeOf((await ok(login(body.password))).accessJwt)).toBe("com.atproto.appPassPrivileged");

  const list = await cli(["auth", "app-passwords", "--json"]);
  expect(list.code).toBe(0);
  expect(JSON.parse(list.stdout).passwords.map((p: { name: string; privileged: boolean }) => [p.name, p.privileged])).toEqual([["chat client", true], ["phone", false]]);
  expect(list.stdout).not.toContain(body.password);
  const table = await cli(["auth", "app-passwords"]);
  expect(table.stdout).toContain("chat client");
  expect(table.stdout).toContain("PRIVILEGED");
});

test("create refusals: a duplicate name (any case) → exit 2 InvalidRequest, nothing created; an app-password session → InvalidToken", async () => {
  const dup = await cli(["auth", "app-password", "create", "PHONE", "--json"]);
  expect(dup.code).toBe(2);
  expect(JSON.parse(dup.stderr)).toEqual({ error: "InvalidRequest", message: "An app password with this name already exists (InvalidRequest)", exitCode: 2 });
  // a second CLI home signed in with an app password
  const made = JSON.parse((await cli(["auth", "app-password", "create", "cli-app", "--json"])).stdout);
  const otherHome = dirs();
  expect((await cli(["auth", "login", "-u", "paula", "--password-stdin"], made.password + "\n", otherHome)).code).toBe(0);
  const refused = await cli(["auth", "app-password", "create", "nested", "--json"], undefined, otherHome);
  expect(refused.code).not.toBe(0);
  expect(JSON.parse(refused.stderr)).toMatchObject({ error: "InvalidToken", message: "Bad token scope (InvalidToken)" });
  expect(JSON.parse(refused.stderr).exitCode).toBe(refused.code);
  const names = JSON.parse((await cli(["auth", "app-passwords", "--json"])).stdout).passwords.map((p: { name: string }) => p.name);
  expect(names).toEqual(["cli-app", "chat client", "phone"]);
});

test("revoke needs -y without a terminal (exit 2, nothing revoked); with -y the app password and its sessions end", async () => {
  const made = JSON.parse((await cli(["auth", "app-password", "create", "tablet", "--json"])).stdout);
  const s = await ok(login(made.password));
  const unconfirmed = await cli(["auth", "app-password", "revoke", "tablet"]);
  expect(unconfirmed.code).toBe(2);
  expect((await call(pds.url, "com.atproto.server.getSession", { token: s.accessJwt })).status).toBe(200);

  const r = await cli(["auth", "app-password", "revoke", "Tablet", "-y", "--json"]);
  expect(r.stderr).toBe("");
  expect([r.code, JSON.parse(r.stdout)]).toEqual([0, { name: "Tablet", revoked: true }]);
  const dead = await call(pds.url, "com.atproto.server.getSession", { token: s.accessJwt });
  expect([dead.status, dead.body.error]).toEqual([401, "InvalidToken"]);
  expect((await login(made.password)).status).toBe(401);
  expect(JSON.parse((await cli(["auth", "app-passwords", "--json"])).stdout).passwords.map((p: { name: string }) => p.name)).not.toContain("tablet");
  // an unknown name: 200, nothing changes
  expect((await cli(["auth", "app-password", "revoke", "never-made", "-y", "--json"])).code).toBe(0);
});

test("without a saved session: exit 3 naming `ofpds auth login`", async () => {
  const r = await cli(["auth", "app-passwords"], undefined, dirs());
  expect(r.code).toBe(3);
  expect(r.stderr).toContain("ofpds auth login");
});
