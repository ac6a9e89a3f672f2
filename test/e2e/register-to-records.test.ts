// Issue 3 end to end: bootstrap admin → invite → register → approve → AtpAgent login → 1 000 writes → verified CAR.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AtpAgent } from "@atproto/api";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { listedRecords, ok, verifiedRepoRecords, xrpc } from "./_xrpc.ts";
import { rk } from "../_support/rkey.ts";

const ADMIN = { email: "admin@example.org", handle: "admin", password: "Admin-password-123" };
let pds: RunningPds;
let adminToken: string;

beforeAll(async () => {
  pds = await startPds({
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_HANDLE: ADMIN.handle,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMITS_ENABLED: "false",
  });
  expect(pds.logs()).toContain("✓ Bootstrap admin user created");
  const admin = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: ADMIN.handle, password: ADMIN.password } }));
  expect(admin.handle).toBe("admin.test");
  adminToken = admin.accessJwt;
});
afterAll(async () => {
  await pds?.stop();
});

async function registerApproved(name: string): Promise<{ did: string; password: string }> {
  const invite = await ok(xrpc(pds.url, "net.openfederation.invite.create", { token: adminToken, body: { maxUses: 1 } }));
  const password = `Pw-${name}-2026-long`;
  const reg = await ok(xrpc(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password, inviteCode: invite.code } }));
  expect(reg).toMatchObject({ handle: `${name}.test`, status: "pending" });
  expect(reg.did).toStartWith("did:plc:");
  expect(reg.primaryRotationKey.didKey).toStartWith("did:key:");
  await ok(xrpc(pds.url, "net.openfederation.account.approve", { token: adminToken, body: { did: reg.did } }));
  return { did: reg.did, password };
}

describe("a user's repo, written through @atproto/api", () => {
  let did: string;
  let agent: AtpAgent;

  beforeAll(async () => {
    const user = await registerApproved("alice");
    did = user.did;
    agent = new AtpAgent({ service: pds.url });
    await agent.login({ identifier: "alice", password: user.password });
    expect(agent.session?.did).toBe(did);
    expect(agent.session?.handle).toBe("alice.test");
  });

  test("the genesis repo holds the profile and verifies against the PLC signing key", async () => {
    const records = await verifiedRepoRecords(pds.url, pds.plcUrl, did);
    expect([...records.keys()]).toEqual(["app.bsky.actor.profile/self"]);
    const profile = await agent.com.atproto.repo.getRecord({ repo: did, collection: "app.bsky.actor.profile", rkey: "self" });
    expect(profile.data.value).toEqual({ $type: "app.bsky.actor.profile", displayName: "alice" });
  });

  test("1 000 records via createRecord and applyWrites, some deleted: CAR verifies and equals listRecords", async () => {
    const created: string[] = [];
    for (let i = 0; i < 200; i++) {
      const res = await agent.com.atproto.repo.createRecord({
        repo: did,
        collection: "app.bsky.feed.post",
        record: { $type: "app.bsky.feed.post", text: `post ${i}`, createdAt: new Date().toISOString() },
      });
      created.push(res.data.uri.split("/").pop()!);
    }
    for (let batch = 0; batch < 4; batch++) {
      const res = await agent.com.atproto.repo.applyWrites({
        repo: did,
        writes: Array.from({ length: 200 }, (_, i) => ({
          $type: "com.atproto.repo.applyWrites#create" as const,
          collection: "app.bsky.feed.like",
          rkey: rk(`b${batch}i${String(i).padStart(3, "0")}`),
          value: { $type: "app.bsky.feed.like", subject: { uri: `at://${did}/app.bsky.feed.post/${created[i % created.length]}`, cid: "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm" }, createdAt: new Date().toISOString() },
        })),
      });
      expect(res.data.results).toHaveLength(200);
    }
    for (const rkey of created.slice(0, 50)) {
      await agent.com.atproto.repo.deleteRecord({ repo: did, collection: "app.bsky.feed.post", rkey });
    }
    const verified = await verifiedRepoRecords(pds.url, pds.plcUrl, did);
    const listed = await listedRecords(pds.url, did, ["app.bsky.actor.profile", "app.bsky.feed.post", "app.bsky.feed.like"]);
    expect(verified.size).toBe(1 + 150 + 800);
    expect(listed).toEqual(verified);
  });

  test("50 concurrent writes to one repo all land, and the repo still verifies", async () => {
    const before = await verifiedRepoRecords(pds.url, pds.plcUrl, did);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        agent.com.atproto.repo.createRecord({ repo: did, collection: "app.bsky.feed.post", rkey: rk(`concurrent${i}`), record: { $type: "app.bsky.feed.post", text: `c${i}`, createdAt: new Date().toISOString() } }),
      ),
    );
    expect(new Set(results.map((r) => r.data.commit?.rev)).size).toBe(50);
    const after = await verifiedRepoRecords(pds.url, pds.plcUrl, did);
    expect(after.size).toBe(before.size + 50);
    for (let i = 0; i < 50; i++) expect(after.has(`app.bsky.feed.post/${rk(`concurrent${i}`)}`)).toBe(true);
  });

  test("deleting a missing record is a 200 with no commit and no new revision", async () => {
    const head = await agent.com.atproto.sync.getLatestCommit({ did });
    const res = await xrpc(pds.url, "com.atproto.repo.deleteRecord", { token: agent.session!.accessJwt, body: { repo: did, collection: "app.bsky.feed.post", rkey: rk("does-not-exist") } });
    expect(res.status).toBe(200);
    expect(res.body?.commit).toBeUndefined();
    expect((await agent.com.atproto.sync.getLatestCommit({ did })).data).toEqual(head.data);
  });

  test("another user cannot write to alice's repo (403 Forbidden, nothing written)", async () => {
    const bob = await registerApproved("bob");
    const bobSession = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: "bob", password: bob.password } }));
    const head = await agent.com.atproto.sync.getLatestCommit({ did });
    const res = await xrpc(pds.url, "com.atproto.repo.createRecord", {
      token: bobSession.accessJwt,
      body: { repo: did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text: "intrusion", createdAt: new Date().toISOString() } },
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe("Forbidden");
    expect((await agent.com.atproto.sync.getLatestCommit({ did })).data).toEqual(head.data);
  });
});
