// updateHandle racing community.create for the same name (01 §4, 02 §11): the community takes the name while the
// handle change waits on PLC; the change must then fail with HandleNotAvailable and give PLC the old handle back.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";
import { approvedUser, call, ok, startEnv, uniq, type Env } from "../account/_support.ts";

const dir = tempDirs("ofpds-handle-race-");
let plc: ReturnType<typeof spawnOfpds> | undefined;
let proxy: ReturnType<typeof Bun.serve> | undefined;
let e: Env;

/**
 * A pass-through in front of a real `ofpds plc` that can hold one POST of a given DID until the test releases it.
 * This is how the test opens the window between updateHandle's early check and its write transaction without sleeps.
 */
let hold: { did: string; reached: () => void; released: Promise<void> } | undefined;
function holdNextPost(did: string): { reached: Promise<void>; release: () => void } {
  let release!: () => void;
  let reached!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const reachedP = new Promise<void>((r) => (reached = r));
  hold = { did, reached, released };
  return { reached: reachedP, release };
}

let plcUrl = "";
beforeAll(async () => {
  const plcPort = await freePort();
  plc = spawnOfpds(["plc", "--port", String(plcPort), "--data-dir", dir()], {});
  plcUrl = `http://127.0.0.1:${plcPort}`;
  await waitFor(async () => (await fetch(`${plcUrl}/_health`)).status < 500, 20_000, "ofpds plc");
  proxy = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
      const h = hold;
      if (h && req.method === "POST" && decodeURIComponent(url.pathname) === `/${h.did}`) {
        hold = undefined;
        h.reached();
        await h.released;
      }
      return fetch(`${plcUrl}${url.pathname}${url.search}`, { method: req.method, headers: req.headers, body });
    },
  });
  e = await startEnv({ PLC_URL: `http://127.0.0.1:${proxy.port}` });
}, 60_000);
afterAll(async () => {
  await e?.stop();
  proxy?.stop(true);
  if (plc && plc.proc.exitCode === null) plc.proc.kill("SIGTERM");
});

test("community.create wins the name while updateHandle waits on PLC → updateHandle 400 HandleNotAvailable; only the community resolves", async () => {
  const mover = await approvedUser(e);
  const creator = await approvedUser(e);
  const name = uniq("race");
  const gate = holdNextPost(mover.did);

  const change = call(e.url, "com.atproto.identity.updateHandle", { token: mover.accessJwt, body: { handle: `${name}.test` } });
  await gate.reached; // the early check passed; PLC has the request
  const community = await ok(call(e.url, "net.openfederation.community.create", { token: creator.accessJwt, body: { handle: name, didMethod: "plc", displayName: "Racers" } }));
  gate.release();

  const r = await change;
  expect({ status: r.status, error: r.body?.error }).toEqual({ status: 400, error: "HandleNotAvailable" });
  // the winner only: the name resolves to the community, the account keeps its name, nothing recorded for the change
  expect((await ok(call(e.url, "com.atproto.identity.resolveHandle", { params: { handle: `${name}.test` } }))).did).toBe(community.did);
  expect((await ok(call(e.url, "com.atproto.identity.resolveHandle", { params: { handle: `${mover.name}.test` } }))).did).toBe(mover.did);
  expect(await e.sql("SELECT name, external_handle FROM accounts WHERE did = ?", mover.did)).toEqual([{ name: mover.name, external_handle: null }]);
  expect(await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'account.handle.update' AND target_did = ?", mover.did)).toEqual([{ n: 0 }]);
  // PLC was pointed back at the old handle
  const doc = (await (await fetch(`${plcUrl}/${encodeURIComponent(mover.did)}`)).json()) as { alsoKnownAs: string[] };
  expect(doc.alsoKnownAs).toEqual([`at://${mover.name}.test`]);
}, 60_000);
