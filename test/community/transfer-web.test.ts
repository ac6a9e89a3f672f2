// did:web community transfer (04 §8) between two `ofpds serve --dev` instances sharing one `ofpds plc` (for the owner's
// account): the source hands out a DID document instead of a PLC operation; completeImport and confirmTransfer wait
// (409 DidNotUpdated) until the loopback web host standing in for the domain publishes it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { verifyRepoCar } from "@atproto/repo";
import { call, ok, PASSWORD, register, startEnv, uniq, type Env } from "../account/_support.ts";
import { freePort, spawnOfpds, tempDirs, waitFor } from "../_support/process.ts";
import { ownerOnBoth } from "./transfer-setup.ts";
import { startDns, type TestDns } from "../handles/_dns.ts";

const NS = "net.openfederation.community";
const dir = tempDirs("ofpds-ctransfer-web-");
let plc: ReturnType<typeof spawnOfpds>;
let plcUrl: string;
let dns: TestDns;
let web: ReturnType<typeof Bun.serve>;
let S: Env;
let D: Env;
/** host → the body of https://<host>/.well-known/did.json */
const published = new Map<string, string>();

beforeAll(async () => {
  const port = await freePort();
  plc = spawnOfpds(["plc", "--port", String(port), "--data-dir", dir()]);
  plcUrl = `http://127.0.0.1:${port}`;
  dns = await startDns();
  // the servers reach each other as localhost:<port>, which the dev DNS hook must answer too
  dns.a.set("localhost", ["127.0.0.1"]);
  web = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const host = (req.headers.get("host") ?? "").replace(/:\d+$/, "");
      const body = new URL(req.url).pathname === "/.well-known/did.json" ? published.get(host) : undefined;
      return body === undefined ? new Response("nope", { status: 404 }) : new Response(body, { headers: { "content-type": "application/json" } });
    },
  });
  await waitFor(async () => (await fetch(`${plcUrl}/_health`)).ok, 20_000, "ofpds plc");
  const env = { PLC_URL: plcUrl, APPROVAL_REQUIRED: "false", OFPDS_DEV_DNS_SERVER: dns.address, OFPDS_DEV_WELLKNOWN_PORT: String(web.port) };
  [S, D] = await Promise.all([startEnv(env), startEnv(env)]);
}, 60_000);

afterAll(async () => {
  if (process.env.TRANSFER_LOGS) console.log(S?.pds.logs(), D?.pds.logs());
  await Promise.all([S?.stop(), D?.stop()]);
  plc?.proc.kill("SIGTERM");
  await plc?.proc.exited;
  await dns?.stop();
  web?.stop(true);
});

const sURL = () => `http://localhost:${S.pds.port}`;
const dURL = () => `http://localhost:${D.pds.port}`;
const events = async (e: Env, did: string) => (await e.sql<{ type: string }>("SELECT type FROM repo_events WHERE did = ? ORDER BY seq", did)).map((r) => r.type);


describe("did:web community moves from S to D", () => {
  let owner: Awaited<ReturnType<typeof ownerOnBoth>>;
  let member: { did: string; accessJwt: string };
  let community: any;
  let prepared: any;
  let ticket: any;
  let pkg: any;
  const domain = `${uniq("web")}.example.com`;
  const did = `did:web:${domain}`;
  const dName = uniq("moved");

  beforeAll(async () => {
    dns.a.set(domain, ["127.0.0.1"]);
    owner = await ownerOnBoth(S, D, plcUrl);
    const mName = uniq("m");
    const reg = await register(S, mName);
    member = { did: reg.did, accessJwt: (await ok(call(S.url, "com.atproto.server.createSession", { body: { identifier: mName, password: PASSWORD } }))).accessJwt };
    community = await ok(call(S.url, `${NS}.create`, { token: owner.onS, body: { handle: uniq("club"), didMethod: "web", domain, displayName: "Web club" } }));
    published.set(domain, JSON.stringify(community.didDocument));
    expect((await ok(call(S.url, `${NS}.get`, { token: owner.onS, params: { did } }))).identityVerified).toBe(true);
    await ok(call(S.url, `${NS}.join`, { token: member.accessJwt, body: { did } }));
    await ok(call(S.url, "com.atproto.repo.createRecord", { token: owner.onS, body: { repo: did, collection: "app.example.note", rkey: "n1", record: { text: "hi" } } }));
  }, 60_000);

  test("prepareImport on D: the published document must name sourcePds; then a ticket", async () => {
    const wrong = await call(D.url, `${NS}.prepareImport`, { token: owner.onD, body: { did, handle: dName, sourcePds: dURL() } });
    expect(wrong.status).toBe(400);
    const unknown = await call(D.url, `${NS}.prepareImport`, { token: owner.onD, body: { did: "did:web:nothing-here.example.com", handle: uniq("x"), sourcePds: sURL() } });
    expect(unknown.status).toBe(400);
    prepared = await ok(call(D.url, `${NS}.prepareImport`, { token: owner.onD, body: { did, handle: dName, sourcePds: sURL() } }));
    ticket = JSON.parse(Buffer.from(prepared.importTicket, "base64url").toString());
    expect(ticket).toMatchObject({ v: 1, endpoint: dURL(), handle: `${dName}.test` });
    expect(await D.sql("SELECT did_method, domain, status FROM communities WHERE did = ?", did)).toEqual([{ did_method: "web", domain, status: "importing" }]);
  });

  test("transfer on S returns D's DID document and instructions, no PLC operation", async () => {
    pkg = await ok(call(S.url, `${NS}.transfer`, { token: owner.onS, body: { did, password: PASSWORD, importTicket: prepared.importTicket } }));
    expect(pkg).toMatchObject({ didMethod: "web", destination: dURL() });
    expect(pkg.plcOperation).toBeUndefined();
    expect(pkg.didDocument).toMatchObject({
      id: did,
      alsoKnownAs: [`at://${dName}.test`],
      verificationMethod: [{ id: `${did}#atproto`, type: "Multikey", controller: did, publicKeyMultibase: ticket.signingKey.slice("did:key:".length) }],
      service: [{ id: "#atproto_pds", type: "AtprotoPersonalDataServer", serviceEndpoint: dURL() }],
    });
    expect(pkg.instructions).toContain(`https://${domain}/.well-known/did.json`);
    const v = await ok(call(S.url, `${NS}.verifyTransfer`, { body: { did, transferToken: pkg.transferToken } }));
    expect(v.didDocument).toEqual(pkg.didDocument);
  });

  test("before the document is published: confirmTransfer and completeImport → 409 DidNotUpdated, nothing moves", async () => {
    const c = await call(S.url, `${NS}.confirmTransfer`, { body: { did, transferToken: pkg.transferToken } });
    expect([c.status, c.body.error]).toEqual([409, "DidNotUpdated"]);
    const done = await call(D.url, `${NS}.completeImport`, { token: owner.onD, body: { importId: prepared.importId, transferToken: pkg.transferToken } });
    expect([done.status, done.body.error]).toEqual([409, "DidNotUpdated"]);
    expect((await D.sql("SELECT status FROM communities WHERE did = ?", did))[0].status).toBe("importing");
    expect((await S.sql("SELECT status FROM communities WHERE did = ?", did))[0].status).toBe("active");
    // no download was spent on the refused attempt
    expect((await S.sql("SELECT downloads FROM community_transfers WHERE id = ?", pkg.transferId))[0].downloads).toBe(0);
  });

  test("published: completeImport activates on D (records kept, head signed by D's key, verified, announced); S migrated", async () => {
    published.set(domain, JSON.stringify(pkg.didDocument));
    const done = await ok(call(D.url, `${NS}.completeImport`, { token: owner.onD, body: { importId: prepared.importId, transferToken: pkg.transferToken } }));
    expect(done).toMatchObject({ did, handle: `${dName}.test`, status: "active" });
    const car = new Uint8Array(await (await fetch(`${D.url}/xrpc/com.atproto.sync.getRepo?did=${did}`)).arrayBuffer());
    const v = await verifyRepoCar(car, did, ticket.signingKey);
    expect(v.creates.map((c) => `${c.collection}/${c.rkey}`)).toContain("app.example.note/n1");
    expect(await D.sql("SELECT identity_verified AS v, did_method AS m FROM communities WHERE did = ?", did)).toEqual([{ v: 1, m: "web" }]);
    expect(await events(D, did)).toEqual(["#account", "#identity", "#sync"]);
    const members = await D.sql<{ member_did: string; role_rkey: string }>("SELECT member_did, role_rkey FROM community_members WHERE community_did = ? ORDER BY role_rkey", did);
    expect(members).toEqual([{ member_did: member.did, role_rkey: "member" }, { member_did: owner.did, role_rkey: "owner" }]);
    // D now serves the document by Host; S (migrated) answers its service document for that Host
    expect(await (await fetch(`${D.url}/.well-known/did.json`, { headers: { Host: domain } })).json()).toEqual(pkg.didDocument);
    await waitFor(async () => (await S.sql("SELECT status FROM communities WHERE did = ?", did))[0]?.status === "migrated", 10_000, "confirmTransfer");
    expect((await S.sql("SELECT migrated_to FROM communities WHERE did = ?", did))[0].migrated_to).toBe(dURL());
    expect((await (await fetch(`${S.url}/.well-known/did.json`, { headers: { Host: domain } })).json()).id).toBe(S.serviceDid);
    expect((await events(S, did)).at(-1)).toBe("#account");
  });
});
