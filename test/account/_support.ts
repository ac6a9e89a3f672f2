// Test support for the account suites: an XRPC caller, a PDS with a bootstrap admin, invites, users, raw DB reads.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createHmac } from "node:crypto";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { openTestDatabase } from "../_support/db.ts";
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(30_000);

export { call, ok, type Reply } from "../_support/xrpc.ts";
import { call, ok } from "../_support/xrpc.ts";

export const ADMIN = { email: "root@example.org", handle: "admin", password: "Admin-password-123" };

export interface Env {
  pds: RunningPds;
  url: string;
  admin: { did: string; accessJwt: string; refreshJwt: string };
  /** a second connection to the server's database, on the engine under test (reads, and the odd backdating) */
  sql<T = any>(q: string, ...args: unknown[]): Promise<T[]>;
  jwtSecret(): string;
  serviceDid: string;
  stop(): Promise<void>;
}

export async function startEnv(env: Record<string, string> = {}, opts: { bootstrap?: boolean } = {}): Promise<Env> {
  const pds = await startPds({
    RATE_LIMITS_ENABLED: "false",
    ...(opts.bootstrap === false ? {} : { BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_HANDLE: ADMIN.handle, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password }),
    ...env,
  });
  const db = await openTestDatabase(pds.dataDir);
  let admin = { did: "", accessJwt: "", refreshJwt: "" };
  if (opts.bootstrap !== false) admin = await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier: ADMIN.handle, password: ADMIN.password } }));
  return {
    pds,
    url: pds.url,
    admin,
    serviceDid: `did:web:localhost%3A${pds.port}`,
    sql: (q, ...args) => db.raw.all(q, args) as never,
    jwtSecret: () => (JSON.parse(readFileSync(join(pds.dataDir, "secrets.json"), "utf8")) as { AUTH_JWT_SECRET: string }).AUTH_JWT_SECRET,
    async stop() {
      await db.close();
      await pds.stop();
    },
  };
}

let seq = 0;
export const uniq = (p = "u") => `${p}${Date.now().toString(36).slice(-4)}${(seq++).toString(36)}`;
export const PASSWORD = "Correct-horse-9";

export async function invite(e: Env, body: Record<string, unknown> = {}): Promise<string> {
  return (await ok(call(e.url, "net.openfederation.invite.create", { token: e.admin.accessJwt, body }))).code;
}

export async function register(e: Env, name = uniq(), extra: Record<string, unknown> = {}) {
  const code = await invite(e);
  return ok(call(e.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: PASSWORD, inviteCode: code, ...extra } }));
}

export async function approvedUser(e: Env, name = uniq()) {
  const reg = await register(e, name);
  await ok(call(e.url, "net.openfederation.account.approve", { token: e.admin.accessJwt, body: { did: reg.did } }));
  const s = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: name, password: PASSWORD } }));
  return { ...reg, name, accessJwt: s.accessJwt as string, refreshJwt: s.refreshJwt as string };
}

/** Crafts an HS256-or-other token, for the verification tests. */
export function craftJwt(secret: string, header: Record<string, unknown>, claims: Record<string, unknown>, alg: "sha256" | "sha384" | "none" = "sha256"): string {
  const b = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const signing = `${b(header)}.${b(claims)}`;
  const sig = alg === "none" ? "" : createHmac(alg, secret).update(signing).digest("base64url");
  return `${signing}.${sig}`;
}

export const decodeJwt = (t: string) => JSON.parse(Buffer.from(t.split(".")[1]!, "base64url").toString()) as Record<string, any>;
