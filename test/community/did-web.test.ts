// did:web communities (02 §9–§10): the document by Host, identity verification against a loopback web host, firehose silence until verified.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Secp256k1Keypair } from "@atproto/crypto";
import { approvedUser, call, ok, startEnv, uniq, type Env } from "../account/_support.ts";
import { startDns, type TestDns } from "../handles/_dns.ts";

const NS = "net.openfederation.community";
let e: Env;
let dns: TestDns;
let web: ReturnType<typeof Bun.serve>;
const webHits: string[] = [];
/** host → published /.well-known/did.json body */
const published = new Map<string, string>();
/** domains "pointed at" the PDS: the web host forwards their did.json request with the same Host */
const pointedAtPds = new Set<string>();

beforeAll(async () => {
  dns = await startDns();
  web = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const host = (req.headers.get("host") ?? "").replace(/:\d+$/, "");
      const path = new URL(req.url).pathname;
      webHits.push(`${host}${path}`);
      if (pointedAtPds.has(host)) return fetch(`${e.url}${path}`, { headers: { Host: host } });
      const body = path === "/.well-known/did.json" ? published.get(host) : undefined;
      return body === undefined ? new Response("nope", { status: 404 }) : new Response(body, { headers: { "content-type": "application/json" } });
    },
  });
  e = await startEnv({ OFPDS_DEV_DNS_SERVER: dns.address, OFPDS_DEV_WELLKNOWN_PORT: String(web.port) });
});
afterAll(async () => {
  await e?.stop();
  await dns?.stop();
  web?.stop(true);
});

const events = async (did: string) => (await e.sql<{ type: string }>("SELECT type FROM repo_events WHERE did = ? ORDER BY seq", did)).map((r) => r.type);
const verifiedCol = async (did: string) => (await e.sql<{ v: number }>("SELECT identity_verified AS v FROM communities WHERE did = ?", did))[0]!.v;
const hits = (domain: string) => webHits.filter((h) => h === `${domain}/.well-known/did.json`).length;

async function createWeb(token: string, extra: Record<string, unknown> = {}) {
  const domain = `${uniq("c")}.example.com`;
  dns.a.set(domain, ["127.0.0.1"]);
  const created = await ok(call(e.url, `${NS}.create`, { token, body: { handle: uniq("w"), didMethod: "web", domain, ...extra } }));
  return { domain, created };
}

describe("GET /.well-known/did.json by Host", () => {
  test("a hosted did:web domain gets its community's document; any other Host the service document", async () => {
    const owner = await approvedUser(e);
    const { domain, created } = await createWeb(owner.accessJwt);
    const byHost = await fetch(`${e.url}/.well-known/did.json`, { headers: { Host: domain } });
    expect(byHost.status).toBe(200);
    expect(await byHost.json()).toEqual(created.didDocument);
    const upper = await (await fetch(`${e.url}/.well-known/did.json`, { headers: { Host: `${domain.toUpperCase()}:443` } })).json();
    expect(upper.id).toBe(`did:web:${domain}`);
    const service = await (await fetch(`${e.url}/.well-known/did.json`)).json();
    expect(service.id).toBe(e.serviceDid);
    const other = await (await fetch(`${e.url}/.well-known/did.json`, { headers: { Host: "unknown.example.com" } })).json();
    expect(other.id).toBe(e.serviceDid);
  });
});

describe("identity verification", () => {
  test("at creation with nothing published: unverified, fetched once, no firehose events", async () => {
    const owner = await approvedUser(e);
    const { domain, created } = await createWeb(owner.accessJwt);
    expect(created.didDocument.id).toBe(`did:web:${domain}`);
    expect(hits(domain)).toBeGreaterThanOrEqual(1);
    expect(await verifiedCol(created.did)).toBe(0);
    expect(await events(created.did)).toEqual([]);
  });

  test("a domain pointed at this server verifies at creation and is announced at once", async () => {
    const owner = await approvedUser(e);
    const domain = `${uniq("p")}.example.com`;
    dns.a.set(domain, ["127.0.0.1"]);
    pointedAtPds.add(domain);
    const created = await ok(call(e.url, `${NS}.create`, { token: owner.accessJwt, body: { handle: uniq("w"), didMethod: "web", domain } }));
    expect(await verifiedCol(created.did)).toBe(1);
    expect(await events(created.did)).toEqual(["#account", "#identity", "#sync"]);
  });

  test("wrong key published → stays unverified, no events; right document → owner get verifies and announces", async () => {
    const owner = await approvedUser(e);
    const other = await approvedUser(e);
    const { domain, created } = await createWeb(owner.accessJwt);
    const did = created.did as string;
    const wrong = structuredClone(created.didDocument);
    wrong.verificationMethod[0].publicKeyMultibase = (await Secp256k1Keypair.create()).did().slice("did:key:".length);
    published.set(domain, JSON.stringify(wrong));

    const before = hits(domain);
    const g1 = await ok(call(e.url, `${NS}.get`, { token: owner.accessJwt, params: { did } }));
    expect(g1.identityVerified).toBe(false);
    expect(hits(domain)).toBe(before + 1);
    expect(await events(did)).toEqual([]);

    // wrong endpoint, right key → still unverified
    const wrongEp = structuredClone(created.didDocument);
    wrongEp.service[0].serviceEndpoint = "https://elsewhere.example.org";
    published.set(domain, JSON.stringify(wrongEp));
    expect((await ok(call(e.url, `${NS}.get`, { token: owner.accessJwt, params: { did } }))).identityVerified).toBe(false);

    // a non-owner's get does not fetch
    published.set(domain, JSON.stringify(created.didDocument));
    const beforeOther = hits(domain);
    expect((await ok(call(e.url, `${NS}.get`, { token: other.accessJwt, params: { did } }))).identityVerified).toBe(false);
    expect(hits(domain)).toBe(beforeOther);

    const g2 = await ok(call(e.url, `${NS}.get`, { token: owner.accessJwt, params: { did } }));
    expect(g2.identityVerified).toBe(true);
    expect(await verifiedCol(did)).toBe(1);
    expect(await events(did)).toEqual(["#account", "#identity", "#sync"]);

    // verified: later gets do not fetch again and emit nothing
    const after = hits(domain);
    await ok(call(e.url, `${NS}.get`, { token: owner.accessJwt, params: { did } }));
    expect(hits(domain)).toBe(after);
    expect(await events(did)).toHaveLength(3);
  });

  test("a private did:web community is verified without any announcement", async () => {
    const owner = await approvedUser(e);
    const { domain, created } = await createWeb(owner.accessJwt, { visibility: "private" });
    published.set(domain, JSON.stringify(created.didDocument));
    expect((await ok(call(e.url, `${NS}.get`, { token: owner.accessJwt, params: { did: created.did } }))).identityVerified).toBe(true);
    expect(await events(created.did)).toEqual([]);
  });

  test("a document for another DID (id mismatch) does not verify", async () => {
    const owner = await approvedUser(e);
    const { domain, created } = await createWeb(owner.accessJwt);
    published.set(domain, JSON.stringify({ ...created.didDocument, id: "did:web:other.example.com" }));
    expect((await ok(call(e.url, `${NS}.get`, { token: owner.accessJwt, params: { did: created.did } }))).identityVerified).toBe(false);
    expect(await events(created.did)).toEqual([]);
  });
});
