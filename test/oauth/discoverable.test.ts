// Discoverable clients (11 §3): metadata fetched through the SSRF-guarded policy (dev DNS and port hooks on loopback),
// validated; a public web client goes through PAR → page → token; unusable documents are refused at PAR.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { approvedUser, startEnv, type Env } from "../account/_support.ts";
import { startDns, type TestDns } from "../handles/_dns.ts";
import { asPost, Dpop, pageFlow, par } from "./_support.ts";

let e: Env;
let dns: TestDns;
let web: ReturnType<typeof Bun.serve>;
const hits: string[] = [];
const base = "https://client.test";
const docs = new Map<string, () => Response>();
const metadata = (path: string, over: Record<string, unknown> = {}) => ({
  client_id: `${base}${path}`, client_name: "Example", application_type: "web", redirect_uris: [`${base}/callback`],
  scope: "atproto transition:generic", grant_types: ["authorization_code", "refresh_token"], response_types: ["code"],
  token_endpoint_auth_method: "none", dpop_bound_access_tokens: true, ...over,
});
const jsonDoc = (body: unknown) => () => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

beforeAll(async () => {
  dns = await startDns();
  dns.a.set("client.test", ["127.0.0.1"]);
  docs.set("/good.json", jsonDoc(metadata("/good.json")));
  docs.set("/missing.json", () => new Response("no", { status: 404 }));
  docs.set("/text.json", () => new Response("<html>not json</html>", { headers: { "content-type": "text/html" } }));
  docs.set("/moved.json", () => new Response(null, { status: 302, headers: { location: `${base}/good.json` } }));
  docs.set("/huge.json", jsonDoc({ ...metadata("/huge.json"), padding: "x".repeat(70 * 1024) }));
  docs.set("/other-id.json", jsonDoc(metadata("/good.json")));
  docs.set("/confidential.json", jsonDoc(metadata("/confidential.json", { token_endpoint_auth_method: "private_key_jwt", jwks_uri: `${base}/jwks.json` })));
  docs.set("/no-dpop.json", jsonDoc(metadata("/no-dpop.json", { dpop_bound_access_tokens: false })));
  docs.set("/http-redirect.json", jsonDoc(metadata("/http-redirect.json", { redirect_uris: ["http://client.test/callback"] })));
  web = Bun.serve({
    port: 0, hostname: "127.0.0.1",
    fetch(req) {
      const path = new URL(req.url).pathname;
      hits.push(path);
      return docs.get(path)?.() ?? new Response("nope", { status: 404 });
    },
  });
  e = await startEnv({ OFPDS_DEV_DNS_SERVER: dns.address, OFPDS_DEV_WELLKNOWN_PORT: String(web.port) });
});
afterAll(async () => {
  await e?.stop();
  web?.stop(true);
  await dns?.stop();
});

test("a public web client: PAR → sign-in → Allow → code at its https redirect → tokens", async () => {
  const u = await approvedUser(e);
  const clientId = `${base}/good.json`;
  const dpop = await Dpop.create();
  const { res, verifier } = await par(e, dpop, { client_id: clientId, redirect_uri: `${base}/callback` });
  expect(res.status).toBe(201);
  const page = await pageFlow(e, clientId, res.body.request_uri, { identifier: u.name, password: "Correct-horse-9" });
  expect(page.html).toContain('<span class="client">client.test</span>');
  expect(page.html).not.toContain("Example"); // an untrusted client's name is never shown
  const loc = new URL(page.location!);
  expect(`${loc.origin}${loc.pathname}`).toBe(`${base}/callback`);
  const token = await asPost(e, "/oauth/token", { grant_type: "authorization_code", code: loc.searchParams.get("code")!, code_verifier: verifier, redirect_uri: `${base}/callback`, client_id: clientId }, dpop);
  expect([token.status, token.body.sub, token.body.scope]).toEqual([200, u.did, "atproto transition:generic"]);
  expect(await e.sql("SELECT client_id FROM oauth_session WHERE did = ?", u.did)).toEqual([{ client_id: clientId }]);
});

const refusals: Array<[string, string, string]> = [
  ["metadata answering 404", "/missing.json", 'Unable to obtain client metadata for "https://client.test/missing.json"'],
  ["metadata that is not JSON", "/text.json", 'Unable to obtain client metadata for "https://client.test/text.json"'],
  ["metadata behind a redirect", "/moved.json", 'Unable to obtain client metadata for "https://client.test/moved.json"'],
  ["metadata over 64 kB", "/huge.json", 'Unable to obtain client metadata for "https://client.test/huge.json"'],
  ["a document naming another client_id", "/other-id.json", "client_id does not match the metadata URL"],
  ["a confidential client (not supported yet)", "/confidential.json", "Only public clients (token_endpoint_auth_method none) are supported"],
  ["dpop_bound_access_tokens false", "/no-dpop.json", '"dpop_bound_access_tokens" must be true'],
];
for (const [name, path, description] of refusals) {
  test(`${name} → 400 invalid_client_metadata, nothing stored`, async () => {
    const dpop = await Dpop.create();
    await par(e, dpop); // a nonce first
    const before = ((await e.sql("SELECT count(*) AS n FROM oauth_request"))[0] as { n: number }).n;
    const { res } = await par(e, dpop, { client_id: `${base}${path}`, redirect_uri: `${base}/callback` });
    expect([res.status, res.body.error, res.body.error_description]).toEqual([400, "invalid_client_metadata", description]);
    expect(((await e.sql("SELECT count(*) AS n FROM oauth_request"))[0] as { n: number }).n).toBe(before);
  });
}

test("a web client's http redirect_uri is refused; a failure is cached for a minute (one fetch)", async () => {
  const dpop = await Dpop.create();
  await par(e, dpop);
  const first = await par(e, dpop, { client_id: `${base}/http-redirect.json`, redirect_uri: "http://client.test/callback" });
  expect([first.res.status, first.res.body.error, first.res.body.error_description]).toEqual([400, "invalid_client_metadata", 'Invalid client metadata: URL must use "localhost", "127.0.0.1" or "[::1]" as hostname']);
  const fetched = hits.filter((p) => p === "/http-redirect.json").length;
  await par(e, dpop, { client_id: `${base}/http-redirect.json`, redirect_uri: "http://client.test/callback" });
  expect(hits.filter((p) => p === "/http-redirect.json").length).toBe(fetched);
});
