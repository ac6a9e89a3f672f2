// A server killed with SIGKILL in the middle of a write load restarts; every repo verifies and every acknowledged write is there.
import { afterAll, expect, test } from "bun:test";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { tempDirs, waitFor } from "../_support/process.ts";
import { ok, verifiedRepoRecords, xrpc } from "./_xrpc.ts";
import { rk } from "../_support/rkey.ts";

const ADMIN = { BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: "Admin-password-123", RATE_LIMITS_ENABLED: "false" };
const dir = tempDirs("ofpds-crash-");
let running: RunningPds | undefined;
afterAll(async () => {
  await running?.stop();
});

test("SIGKILL during writes: restart, verify, no acknowledged write lost", async () => {
  const dataDir = dir();
  running = await startPds(ADMIN, { dataDir });
  const url = running.url;
  const admin = await ok(xrpc(url, "com.atproto.server.createSession", { body: { identifier: "admin", password: ADMIN.BOOTSTRAP_ADMIN_PASSWORD } }));
  const users: { did: string; token: string }[] = [];
  for (const name of ["carol", "dave"]) {
    const invite = await ok(xrpc(url, "net.openfederation.invite.create", { token: admin.accessJwt, body: { maxUses: 1 } }));
    const password = `Pw-${name}-2026-long`;
    const reg = await ok(xrpc(url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password, inviteCode: invite.code } }));
    await ok(xrpc(url, "net.openfederation.account.approve", { token: admin.accessJwt, body: { did: reg.did } }));
    const session = await ok(xrpc(url, "com.atproto.server.createSession", { body: { identifier: name, password } }));
    users.push({ did: reg.did, token: session.accessJwt });
  }

  // Bounded load: 4 writers per user, each up to 400 writes; the kill lands while they run.
  const acked = new Map<string, Set<string>>(users.map((u) => [u.did, new Set<string>()]));
  let killed = false;
  const writers = users.flatMap((u) =>
    Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 400 && !killed; i++) {
        const rkey = rk(`w${w}n${i}`);
        try {
          const res = await xrpc(url, "com.atproto.repo.createRecord", {
            token: u.token,
            body: { repo: u.did, collection: "app.bsky.feed.post", rkey, record: { $type: "app.bsky.feed.post", text: rkey, createdAt: new Date().toISOString() } },
          });
          if (res.status === 200) acked.get(u.did)!.add(`app.bsky.feed.post/${rkey}`);
        } catch {
          return; // the server is gone
        }
      }
    }),
  );
  await waitFor(async () => [...acked.values()].reduce((n, s) => n + s.size, 0) >= 150, 60_000, "150 acknowledged writes before the kill");
  running.proc.kill("SIGKILL");
  killed = true;
  await running.proc.exited;
  await Promise.all(writers);
  running = undefined;

  running = await startPds(ADMIN, { dataDir });
  for (const u of users) {
    const records = await verifiedRepoRecords(running.url, running.plcUrl, u.did);
    const acknowledged = acked.get(u.did)!;
    expect(acknowledged.size).toBeGreaterThan(0);
    for (const key of acknowledged) expect(records.has(key)).toBe(true);
  }
});
