// The proposal expiry sweep (spec 05 §5) on the server's clock: a proposal left open past its expiry with no read
// touching it is resolved by the sweep job, which also runs once at start-up (catch-up after downtime). The server
// is restarted on the same data directory with its dev clock moved past the expiry; no request touches the proposal.
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { tempDirs, waitFor } from "../_support/process.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";
import { serverDb } from "./moderation-setup.ts";

const NS = "net.openfederation.community";
const dirs = tempDirs("ofpds-sweep-");
let pds: RunningPds | undefined;
afterAll(async () => {
  await pds?.stop();
});

test("an expired open proposal is resolved by the sweep (expired: no quorum), audited as system, with nothing read", async () => {
  const dataDir = dirs();
  const clockFile = join(dirs(), "offset-ms");
  writeFileSync(clockFile, "0");
  const env = { OFPDS_DEV_CLOCK_FILE: clockFile, BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: "Admin-password-123", RATE_LIMITS_ENABLED: "false", APPROVAL_REQUIRED: "false" };
  pds = await startPds(env, { dataDir });
  const admin = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: "Admin-password-123" } }));
  const users = [];
  for (const name of ["sweepowner", "sweepmod"]) {
    const invite = await ok(xrpc(pds.url, "net.openfederation.invite.create", { token: admin.accessJwt, body: { maxUses: 1 } }));
    const reg = await ok(xrpc(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password: `Pw-${name}-2026`, inviteCode: invite.code } }));
    const s = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: name, password: `Pw-${name}-2026` } }));
    users.push({ did: reg.did as string, token: s.accessJwt as string });
  }
  const [owner, mod] = users as [{ did: string; token: string }, { did: string; token: string }];
  const c = (await ok(xrpc(pds.url, `${NS}.create`, { token: owner.token, body: { handle: "sweepers", didMethod: "plc" } }))).did as string;
  await ok(xrpc(pds.url, `${NS}.join`, { token: mod.token, body: { did: c } }));
  await ok(xrpc(pds.url, `${NS}.updateMemberRole`, { token: owner.token, body: { communityDid: c, memberDid: mod.did, roleRkey: "moderator" } }));
  await ok(xrpc(pds.url, `${NS}.setGovernanceModel`, { token: owner.token, body: { communityDid: c, governanceModel: "simple-majority", governanceConfig: { quorum: 2, proposalTtlDays: 1 } } }));
  const p = await ok(xrpc(pds.url, `${NS}.createProposal`, { token: owner.token, body: { communityDid: c, targetCollection: "role", targetRkey: "late", action: "write", proposedRecord: { name: "late", permissions: [] } } }));
  expect(p.status).toBe("open");
  expect(await pds.stop()).toBe(0);
  pds = undefined;

  writeFileSync(clockFile, String(2 * 86_400_000));
  pds = await startPds(env, { dataDir });
  const db = await serverDb(dataDir);
  try {
    const status = async () => ((await db.query("SELECT status FROM community_proposals WHERE community_did = ? AND rkey = ?").get(c, p.rkey)) as { status: string }).status;
    await waitFor(async () => (await status()) !== "open", 20_000, "the sweep to resolve the proposal");
    expect(await status()).toBe("expired");
    const rec = JSON.parse(((await db.query("SELECT value FROM records WHERE did = ? AND collection = ? AND rkey = ?").get(c, `${NS}.proposal`, p.rkey)) as { value: string }).value);
    expect(rec).toMatchObject({ status: "expired", votesFor: [owner.did] });
    expect(Date.parse(rec.resolvedAt)).toBeGreaterThan(Date.parse(rec.expiresAt));
    const audit = (await db.query("SELECT actor_type, actor_did FROM audit_log WHERE action = 'community.proposal.expire' AND target_did = ?").all(c)) as any[];
    expect(audit).toEqual([{ actor_type: "system", actor_did: null }]);
    expect(await db.query("SELECT count(*) AS n FROM records WHERE did = ? AND collection = ? AND rkey = 'late'").get(c, `${NS}.role`)).toEqual({ n: 0 });
  } finally {
    await db.close();
  }
}, 90_000);
