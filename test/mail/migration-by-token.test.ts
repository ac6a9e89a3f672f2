// The standard migration sequence (10 acceptance checks), scripted with @atproto/api between two `serve --dev`
// instances sharing one `ofpds plc`: getServiceAuth → createAccount → importRepo → preferences →
// requestPlcOperationSignature / signPlcOperation on the old server (token from its .eml) → submitPlcOperation /
// activateAccount on the new one → deactivateAccount on the old one; the repo verifies on the new server, and the old
// account then deletes itself by mailed token without tombstoning the DID that now names the new server.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { AtpAgent } from "@atproto/api";
import { call, invite, ok, PASSWORD, startEnv, uniq, type Env } from "../account/_support.ts";
import { freePort, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";
import { verifiedRepoRecords } from "../e2e/_xrpc.ts";
import { emlFiles, newEml, tokenIn } from "./_support.ts";

const dir = tempDirs("ofpds-mail-migration-");
let plc: ReturnType<typeof spawnOfpds>;
let plcUrl: string;
let A: Env;
let B: Env;

beforeAll(async () => {
  const port = await freePort();
  plc = spawnOfpds(["plc", "--port", String(port), "--data-dir", dir()]);
  plcUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${plcUrl}/_health`)).ok, 20_000, "ofpds plc");
  [A, B] = await Promise.all([startEnv({ PLC_URL: plcUrl, APPROVAL_REQUIRED: "false" }), startEnv({ PLC_URL: plcUrl, APPROVAL_REQUIRED: "false" })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([A?.stop(), B?.stop()]);
  plc?.proc.kill("SIGTERM");
  await plc?.proc.exited;
});

test("an account leaves A with a PLC operation A signed after a mailed token, and its repo verifies on B", async () => {
  // --- on A: an account with a few records
  const name = uniq("leaver");
  await ok(call(A.url, "com.atproto.server.createAccount", { body: { handle: `${name}.test`, email: `${name}@example.org`, password: PASSWORD, inviteCode: await invite(A) } }));
  const oldAgent = new AtpAgent({ service: A.url });
  await oldAgent.login({ identifier: `${name}.test`, password: PASSWORD });
  const did = oldAgent.session!.did;
  for (let i = 0; i < 3; i++) await oldAgent.com.atproto.repo.createRecord({ repo: did, collection: "app.example.note", rkey: `n${i}`, record: { text: `note ${i}` } });
  await oldAgent.app.bsky.actor.putPreferences({ preferences: [{ $type: "app.bsky.actor.defs#adultContentPref", enabled: false }] });
  const onA = await verifiedRepoRecords(A.url, plcUrl, did);

  // --- service auth → createAccount on B → importRepo → preferences
  const newAgent = new AtpAgent({ service: B.url });
  const { data: sa } = await oldAgent.com.atproto.server.getServiceAuth({ aud: B.serviceDid, lxm: "com.atproto.server.createAccount" });
  const newName = uniq("arrived");
  await newAgent.com.atproto.server.createAccount(
    { handle: `${newName}.test`, email: `${newName}@example.org`, password: PASSWORD, inviteCode: await invite(B), did },
    { headers: { authorization: `Bearer ${sa.token}` } },
  );
  await newAgent.login({ identifier: `${newName}.test`, password: PASSWORD });
  const car = new Uint8Array(await (await oldAgent.com.atproto.sync.getRepo({ did })).data);
  await newAgent.com.atproto.repo.importRepo(car, { encoding: "application/vnd.ipld.car" });
  const prefs = (await oldAgent.app.bsky.actor.getPreferences()).data.preferences;
  await newAgent.app.bsky.actor.putPreferences({ preferences: prefs });

  // --- the PLC operation: requested on A (mailed token), signed by A with B's recommended credentials
  const before = emlFiles(A.pds.dataDir);
  await oldAgent.com.atproto.identity.requestPlcOperationSignature();
  const mails = await newEml(A.pds.dataDir, before);
  expect(mails.map((m) => [m.to, m.subject])).toEqual([[`${name}@example.org`, "Identity (PLC) change requested"]]);
  const creds = (await newAgent.com.atproto.identity.getRecommendedDidCredentials()).data;
  const { data: signed } = await oldAgent.com.atproto.identity.signPlcOperation({ token: tokenIn(mails[0]!), ...creds });
  expect((signed.operation as { prev: string }).prev).toBeString();

  // --- submitted and activated on B, deactivated on A
  await newAgent.com.atproto.identity.submitPlcOperation({ operation: signed.operation });
  await newAgent.com.atproto.server.activateAccount();
  await oldAgent.com.atproto.server.deactivateAccount({});
  expect((await A.sql("SELECT status FROM accounts WHERE did = ?", did))[0].status).toBe("deactivated");

  const doc = await (await fetch(`${plcUrl}/${did}/data`)).json();
  expect(doc.services.atproto_pds.endpoint).toBe(`http://localhost:${B.pds.port}`);
  expect(doc.rotationKeys).toEqual(creds.rotationKeys);
  expect(await verifiedRepoRecords(B.url, plcUrl, did)).toEqual(onA);
  expect((await newAgent.app.bsky.actor.getPreferences()).data.preferences).toEqual(prefs);
  await newAgent.com.atproto.repo.createRecord({ repo: did, collection: "app.example.note", record: { text: "written on B" } });

  // --- the deactivated account on A deletes itself by mailed token: its DID names B now, so no tombstone is queued
  const beforeDelete = emlFiles(A.pds.dataDir);
  await oldAgent.com.atproto.server.requestAccountDelete();
  const [deleteMail] = await newEml(A.pds.dataDir, beforeDelete);
  await oldAgent.com.atproto.server.deleteAccount({ did, password: PASSWORD, token: tokenIn(deleteMail!) });
  expect((await A.sql("SELECT count(*) AS n FROM accounts WHERE did = ?", did))[0].n).toBe(0);
  expect((await A.sql("SELECT count(*) AS n FROM plc_tombstone_outbox WHERE did = ?", did))[0].n).toBe(0);
  expect((await (await fetch(`${plcUrl}/${did}/log/last`)).json()).type).toBe("plc_operation");
}, 60_000);
