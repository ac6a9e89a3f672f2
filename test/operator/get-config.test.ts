// net.openfederation.server.getConfig (06 §9) on a real server: staff only (admin, auditor), the documented shape,
// stats that follow the database, and not one configured secret (inline, from a *_FILE, or inside a URL) in the body.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN, approvedUser, call, ok, PASSWORD, register, startEnv, type Env } from "../account/_support.ts";

const GET = "net.openfederation.server.getConfig";
const JWT_SECRET = "jwt-secret-from-a-file-0123456789-abcdefghij";
const KEY_SECRET = "key-encryption-secret-inline-9876543210-zyxw";
const CRAWLER_PASSWORD = "crawler-pass-5f3a9c";
const secretsDir = mkdtempSync(join(tmpdir(), "ofpds-getconfig-"));
let e: Env;

beforeAll(async () => {
  const jwtFile = join(secretsDir, "jwt");
  writeFileSync(jwtFile, JWT_SECRET + "\n");
  chmodSync(jwtFile, 0o600);
  e = await startEnv({
    AUTH_JWT_SECRET_FILE: jwtFile,
    KEY_ENCRYPTION_SECRET: KEY_SECRET,
    // a relay URL with credentials in it: shown without them
    CRAWLERS: `https://relay-user:${CRAWLER_PASSWORD}@relay.invalid`,
    IMPORT_MAX_BYTES: "2000000",
    ACCESS_TOKEN_TTL: "2h",
  });
});
afterAll(async () => {
  await e?.stop();
  rmSync(secretsDir, { recursive: true, force: true });
});

const count = async (q: string, ...args: unknown[]) => Number((await e.sql<{ n: number }>(q, ...args))[0]!.n);

test("non-staff → 403, anonymous → 401, moderator → 403; nothing is written by a read", async () => {
  const u = await approvedUser(e);
  const mod = await approvedUser(e);
  await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: mod.did, addRoles: ["moderator"] } }));
  const modSession = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: mod.name, password: PASSWORD } }));
  const audits = await count("SELECT COUNT(*) AS n FROM audit_log");
  for (const [what, token, status, error] of [
    ["a user", u.accessJwt, 403, "Forbidden"],
    ["a moderator", modSession.accessJwt, 403, "Forbidden"],
    ["anonymous", undefined, 401, "AuthRequired"],
  ] as const) {
    const r = await call(e.url, GET, { token });
    expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status, error });
  }
  expect(await count("SELECT COUNT(*) AS n FROM audit_log")).toBe(audits);
});

test("an auditor gets the documented configuration, with no secret value anywhere in it", async () => {
  const aud = await approvedUser(e);
  await ok(call(e.url, "net.openfederation.account.updateRoles", { token: e.admin.accessJwt, body: { did: aud.did, addRoles: ["auditor"] } }));
  const session = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: aud.name, password: PASSWORD } }));
  const res = await fetch(`${e.url}/xrpc/${GET}`, { headers: { authorization: `Bearer ${session.accessJwt}` } });
  expect(res.status).toBe(200);
  const text = await res.text();
  for (const secret of [JWT_SECRET, KEY_SECRET, CRAWLER_PASSWORD, "relay-user", ADMIN.password, PASSWORD]) expect(text).not.toContain(secret);
  const cfg = JSON.parse(text);
  expect(cfg).toMatchObject({
    service: "ofpds",
    hostname: "localhost",
    serviceUrl: `http://localhost:${e.pds.port}`,
    serviceDid: `did:web:localhost%3A${e.pds.port}`,
    handleDomain: "test",
    environment: "development",
    inviteRequired: true,
    approvalRequired: true,
    partnerApiEnabled: true,
    remoteMembersEnabled: true,
    plcUrl: e.pds.plcUrl,
    crawlers: ["https://relay.invalid"],
    limits: { jsonBodyBytes: 262144, blobMaxBytes: 52428800, importMaxBytes: 2000000, accessTokenTtl: "2h", refreshTokenTtl: "30d", firehoseBackfillHours: 72, takedownExportGraceDays: 14 },
    rateLimits: { global: 120, auth: 20, registration: 5, create: 10, discovery: 60, proxy: 3000 },
    services: {},
    proxyAudFragment: false,
    // --dev without SMTP_URL writes .eml files: a mailer exists (10 §5.1)
    mailerConfigured: true,
  });
  expect(typeof cfg.version).toBe("string");
  expect(Object.keys(cfg.stats).sort()).toEqual([
    "activeCommunities", "activeInvites", "approvedUsers", "blobBytes", "deactivatedUsers", "firehoseSeq", "firehoseSubscribers",
    "openProposals", "partnerKeys", "pendingUsers", "privateCommunities", "suspendedCommunities", "suspendedUsers",
    "takendownCommunities", "takendownUsers", "totalCommunities", "totalInvites",
  ].concat("totalUsers").sort());
});

test("stats are the database's counts and follow each change", async () => {
  const stats = async () => (await ok(call(e.url, GET, { token: e.admin.accessJwt }))).stats;
  const before = await stats();
  expect(before).toMatchObject({
    totalUsers: await count("SELECT COUNT(*) AS n FROM accounts WHERE status NOT IN ('creating', 'rejected')"),
    approvedUsers: await count("SELECT COUNT(*) AS n FROM accounts WHERE status = 'approved'"),
    pendingUsers: await count("SELECT COUNT(*) AS n FROM accounts WHERE status = 'pending'"),
    totalInvites: await count("SELECT COUNT(*) AS n FROM invites"),
    firehoseSeq: await count("SELECT COALESCE(MAX(seq), 0) AS n FROM repo_events"),
    firehoseSubscribers: 0,
    openProposals: 0,
    blobBytes: 0,
  });
  await register(e); // one invite created and spent, one pending account
  const u = await approvedUser(e);
  await ok(call(e.url, "net.openfederation.invite.create", { token: e.admin.accessJwt, body: { maxUses: 2 } }));
  await ok(call(e.url, "net.openfederation.community.create", { token: u.accessJwt, body: { handle: `c${u.name}`, didMethod: "plc", visibility: "private", joinPolicy: "approval" } }));
  const blob = await fetch(`${e.url}/xrpc/com.atproto.repo.uploadBlob`, { method: "POST", headers: { authorization: `Bearer ${u.accessJwt}`, "content-type": "image/png" }, body: new Uint8Array(1234) });
  expect(blob.status).toBe(200);
  const after = await stats();
  expect(after.pendingUsers).toBe(before.pendingUsers + 1);
  expect(after.approvedUsers).toBe(before.approvedUsers + 1);
  expect(after.totalUsers).toBe(before.totalUsers + 2);
  expect(after.totalInvites).toBe(before.totalInvites + 3);
  expect(after.activeInvites).toBe(before.activeInvites + 1);
  expect([after.totalCommunities, after.activeCommunities, after.privateCommunities]).toEqual([before.totalCommunities + 1, before.activeCommunities + 1, before.privateCommunities + 1]);
  expect(after.blobBytes).toBe(1234);
  expect(after.firehoseSeq).toBe(await count("SELECT COALESCE(MAX(seq), 0) AS n FROM repo_events"));
  expect(after.firehoseSeq).toBeGreaterThan(before.firehoseSeq);
});
