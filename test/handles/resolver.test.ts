// HandleResolver (02 §6) in process: DNS TXT via a loopback DNS responder, HTTPS/HTTP well-known, strict SSRF refusals, cache.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Resolver } from "node:dns/promises";
import { didFromTxt, HandleResolver } from "../../src/identity/handle-resolver.ts";
import { OutboundFetchPolicy, type AddressLookup } from "../../src/identity/fetch-policy.ts";
import { startDns, type TestDns, startWellKnownHost } from "./_dns.ts";

const DID_A = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
const DID_B = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb";
let dns: TestDns;
let web: ReturnType<typeof startWellKnownHost>;

beforeAll(async () => {
  dns = await startDns();
  web = startWellKnownHost();
});
afterAll(async () => {
  await dns.stop();
  web.stop();
});

function resolverWith(allowPrivate: boolean) {
  const r = new Resolver({ timeout: 1000, tries: 1 });
  r.setServers([dns.address]);
  const lookup: AddressLookup = async (host) => (await r.resolve4(host)).map((address) => ({ address, family: 4 }));
  const policy = new OutboundFetchPolicy({ allowPrivate, lookup, portOverride: web.port });
  return new HandleResolver({
    handleDomain: "pds.test",
    resolveLocal: async (h) => (h === "alice.pds.test" ? DID_A : undefined),
    policy,
    dnsServers: [dns.address],
    getDidDocument: async (did) => ({ id: did, alsoKnownAs: did === DID_A ? ["at://alice.ext.test"] : ["at://someone.else.test"] }),
    stepTimeoutMs: 1000,
  });
}

describe("didFromTxt", () => {
  const cases: Array<[string, string[][], string | null]> = [
    ["one did= value", [[`did=${DID_A}`]], DID_A],
    ["chunked record", [["did=did:plc:aaaa", "aaaaaaaaaaaaaaaaaaaa"]], DID_A],
    ["ignores other records", [["v=spf1"], [`did=${DID_A}`]], DID_A],
    ["two did= values", [[`did=${DID_A}`], [`did=${DID_B}`]], null],
    ["invalid DID", [["did=not-a-did"]], null],
    ["unsupported method", [["did=did:key:zQ3sh"]], null],
    ["none", [], null],
  ];
  for (const [label, records, want] of cases) test(label, () => expect(didFromTxt(records)).toBe(want));
});

describe("resolve", () => {
  test("local handle from the database, never DNS", async () => {
    const r = resolverWith(true);
    const before = dns.queries.length;
    expect(await r.resolve("alice.pds.test")).toBe(DID_A);
    expect(await r.resolve("ALICE.pds.test")).toBe(DID_A);
    expect(await r.resolve("nobody.pds.test")).toBeNull();
    expect(dns.queries.length).toBe(before);
  });

  test("DNS TXT _atproto.<handle>", async () => {
    dns.txt.set("_atproto.txt.ext.test", [`did=${DID_A}`]);
    expect(await resolverWith(false).resolve("txt.ext.test")).toBe(DID_A);
  });

  test("DNS wins over the well-known", async () => {
    dns.txt.set("_atproto.both.ext.test", [`did=${DID_A}`]);
    dns.a.set("both.ext.test", ["127.0.0.1"]);
    web.documents.set("both.ext.test", DID_B);
    expect(await resolverWith(true).resolve("both.ext.test")).toBe(DID_A);
  });

  test("two did= TXT values → falls through to the well-known", async () => {
    dns.txt.set("_atproto.twotxt.ext.test", [`did=${DID_A}`, `did=${DID_B}`]);
    dns.a.set("twotxt.ext.test", ["127.0.0.1"]);
    web.documents.set("twotxt.ext.test", `${DID_B}\nignored`);
    expect(await resolverWith(true).resolve("twotxt.ext.test")).toBe(DID_B);
  });

  test("HTTP well-known on loopback (development policy): first line, trimmed", async () => {
    dns.a.set("wk.ext.test", ["127.0.0.1"]);
    web.documents.set("wk.ext.test", `  ${DID_B}  \nsecond line`);
    expect(await resolverWith(true).resolve("wk.ext.test")).toBe(DID_B);
  });

  test("well-known with an invalid DID → null", async () => {
    dns.a.set("bad.ext.test", ["127.0.0.1"]);
    web.documents.set("bad.ext.test", "hello");
    expect(await resolverWith(true).resolve("bad.ext.test")).toBeNull();
  });

  for (const ip of ["127.0.0.1", "10.0.0.5"]) {
    test(`strict policy: well-known host resolving to ${ip} → null, no connection attempted`, async () => {
      const name = `ssrf${ip.replace(/\./g, "")}.ext.test`;
      dns.a.set(name, [ip]);
      web.documents.set(name, DID_B);
      const before = web.hits.length;
      expect(await resolverWith(false).resolve(name)).toBeNull();
      expect(web.hits.slice(before)).not.toContain(name);
      expect(web.hits.length).toBe(before);
    });
  }

  test("invalid handle syntax → null without any lookup", async () => {
    const before = dns.queries.length;
    expect(await resolverWith(true).resolve("not a handle")).toBeNull();
    expect(dns.queries.length).toBe(before);
  });

  test("results are cached; fresh bypasses; forget drops", async () => {
    const r = resolverWith(false);
    dns.txt.set("_atproto.cache.ext.test", [`did=${DID_A}`]);
    expect(await r.resolve("cache.ext.test")).toBe(DID_A);
    dns.txt.set("_atproto.cache.ext.test", [`did=${DID_B}`]);
    expect(await r.resolve("cache.ext.test")).toBe(DID_A);
    expect(await r.resolve("cache.ext.test", { fresh: true })).toBe(DID_B);
    dns.txt.set("_atproto.cache.ext.test", [`did=${DID_A}`]);
    r.forget("cache.ext.test");
    expect(await r.resolve("cache.ext.test")).toBe(DID_A);
  });

  test("handleIsCorrect: resolution AND alsoKnownAs[0]", async () => {
    const r = resolverWith(false);
    dns.txt.set("_atproto.alice.ext.test", [`did=${DID_A}`]);
    expect(await r.handleIsCorrect(DID_A, "alice.ext.test")).toBe(true);
    dns.txt.set("_atproto.claims.ext.test", [`did=${DID_A}`]);
    expect(await r.handleIsCorrect(DID_A, "claims.ext.test")).toBe(false); // document says otherwise
    expect(await r.handleIsCorrect(DID_B, "alice.ext.test")).toBe(false); // resolves elsewhere
  });
});
