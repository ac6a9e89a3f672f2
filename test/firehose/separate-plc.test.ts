// The firehose with PLC_URL pointing at a separate `ofpds plc` process: a consumer that resolves every DID on
// that directory and verifies each commit as a strict relay does accepts every event (issue 4, done-means).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readCarWithRoot } from "@atproto/repo";
import { verifySignature } from "@atproto/crypto";
import * as dagCbor from "@ipld/dag-cbor";
import type { RunningPds } from "../_support/pds.ts";
import { freePort, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";
import { ok, plcSigningKey, xrpc } from "../e2e/_xrpc.ts";
import { FirehoseClient } from "./_client.ts";
import { verifyCommit } from "./_relay.ts";
import { adminToken, createPost, registerApproved, startFirehosePds } from "./_support.ts";
import { rk } from "../_support/rkey.ts";

const dir = tempDirs("ofpds-fh-plc-");
let plc: ReturnType<typeof spawnOfpds>;
let plcUrl: string;
let pds: RunningPds;

beforeAll(async () => {
  const port = await freePort();
  plc = spawnOfpds(["plc", "--port", String(port), "--data-dir", dir()]);
  plcUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${plcUrl}/_health`)).ok, 20_000, "ofpds plc");
  pds = await startFirehosePds({ PLC_URL: plcUrl });
}, 60_000);

afterAll(async () => {
  await pds?.stop();
  plc?.proc.kill("SIGTERM");
  await plc?.proc.exited;
});

test("a consumer from cursor 0 verifies every event against the separate directory", async () => {
  const admin = await adminToken(pds.url);
  const users = [await registerApproved(pds.url, admin, "frank"), await registerApproved(pds.url, admin, "grace")];
  for (const u of users) {
    for (let i = 0; i < 5; i++) await createPost(pds.url, u, `p${i}`);
    await ok(xrpc(pds.url, "com.atproto.repo.deleteRecord", { token: u.token, body: { repo: u.did, collection: "app.bsky.feed.post", rkey: rk("p1") } }));
  }
  // The DIDs live only on the separate directory: the PDS's own embedded one was not started.
  for (const u of users) expect((await fetch(`${plcUrl}/${u.did}`)).status).toBe(200);

  const client = new FirehoseClient(pds.url, 0);
  await client.opened;
  const heads = await Promise.all(users.map((u) => ok(xrpc(pds.url, "com.atproto.sync.getLatestCommit", { params: { did: u.did } }))));
  await client.until((frames) => users.every((u, i) => frames.some((f) => f.t === "#commit" && f.body.repo === u.did && f.body.rev === heads[i].rev)));
  client.close();

  const keyOf = (did: string) => plcSigningKey(plcUrl, did);
  const prevData = new Map<string, string>();
  let commits = 0;
  for (const f of client.frames) {
    if (f.t === "#sync") {
      const { root, blocks } = await readCarWithRoot(f.body.blocks as Uint8Array);
      const { sig, ...unsigned } = dagCbor.decode(blocks.get(root)!) as { data: unknown; sig: Uint8Array };
      expect(await verifySignature(await keyOf(f.body.did), dagCbor.encode(unsigned), sig)).toBe(true);
      prevData.set(f.body.did, String(unsigned.data));
    } else if (f.t === "#commit") {
      await verifyCommit(f.body, prevData, keyOf);
      commits++;
    }
  }
  expect(commits).toBeGreaterThanOrEqual(2 * 6);
  expect(client.seqs()).toEqual(Array.from({ length: client.frames.length }, (_, i) => i + 1));
}, 60_000);
