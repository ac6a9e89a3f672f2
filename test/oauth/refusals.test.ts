// OAuth refusals on a real server (11 §4-§6, §8 bad-input list): each the exact status and error, and nothing issued.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ADMIN, approvedUser, call, ok, register, startEnv, type Env } from "../account/_support.ts";
import { advance, asPost, authorizeRaw, b64sha, Dpop, issuerOf, loopbackClientId, pageFlow, par, REDIRECT, xrpcDpop } from "./_support.ts";

let e: Env;
beforeAll(async () => {
  e = await startEnv();
});
afterAll(async () => {
  await e?.stop();
});

const count = async (table: string) => ((await e.sql(`SELECT count(*) AS n FROM ${table}`))[0] as { n: number }).n;
const post = (did: string, text: string) => ({ repo: did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text, createdAt: new Date().toISOString() } });

describe("PAR", () => {
  test("no DPoP header → 401 invalid_dpop_proof; no nonce → 400 use_dpop_nonce with DPoP-Nonce; nothing stored", async () => {
    const before = await count("oauth_request");
    const bare = await asPost(e, "/oauth/par", { client_id: loopbackClientId() }, null);
    expect([bare.status, bare.body.error, bare.body.error_description]).toEqual([401, "invalid_dpop_proof", "DPoP proof required"]);
    expect(bare.headers.get("www-authenticate")).toContain('DPoP algs="ES256", error="invalid_dpop_proof"');
    const fresh = await Dpop.create();
    const first = await par(e, fresh, {}, { raw: true });
    expect([first.res.status, first.res.body.error]).toEqual([400, "use_dpop_nonce"]);
    expect(first.res.headers.get("dpop-nonce")).toBeTruthy();
    expect(await count("oauth_request")).toBe(before);
  });

  const cases: Array<[string, Record<string, string | undefined>, number, string, string]> = [
    ["plain PKCE", { code_challenge_method: "plain" }, 400, "invalid_request", 'atproto requires use of "S256" code_challenge_method'],
    ["no PKCE", { code_challenge: undefined, code_challenge_method: undefined }, 400, "invalid_request", "Use of PKCE is required"],
    ["a redirect_uri not in the metadata", { redirect_uri: "http://127.0.0.1/elsewhere" }, 400, "invalid_request", "Invalid redirect_uri http://127.0.0.1/elsewhere"],
    ["an https redirect_uri for a loopback client", { redirect_uri: "https://evil.example/callback" }, 400, "invalid_request", "Invalid redirect_uri https://evil.example/callback"],
    ["a scope other than the two accepted", { client_id: loopbackClientId(REDIRECT, "atproto transition:email"), scope: "atproto transition:email" }, 400, "invalid_scope", 'Scope "transition:email" is not supported by this server yet'],
    ["a granular scope", { client_id: loopbackClientId(REDIRECT, "atproto repo:app.bsky.feed.post"), scope: "atproto repo:app.bsky.feed.post" }, 400, "invalid_scope", 'Scope "repo:app.bsky.feed.post" is not supported by this server yet'],
    ["a scope the client did not declare", { client_id: loopbackClientId(REDIRECT, "atproto"), scope: "atproto transition:generic" }, 400, "invalid_scope", 'Scope "transition:generic" is not declared in the client metadata'],
    ["no atproto scope", { scope: "transition:generic" }, 400, "invalid_scope", 'The "atproto" scope is required'],
    ["no state", { state: undefined }, 400, "invalid_request", "state is required (1-2048 characters)"],
    ["a request object", { request: "eyJ" }, 400, "invalid_request", 'The "request" parameter is not supported'],
    ["a client_id that is not a client id", { client_id: "ftp://client.example/meta.json" }, 400, "invalid_client_metadata", "Invalid client ID"],
    ["an unreachable client metadata document", { client_id: "https://client.invalid/oauth-client-metadata.json" }, 400, "invalid_client_metadata", 'Unable to obtain client metadata for "https://client.invalid/oauth-client-metadata.json"'],
  ];
  for (const [name, over, status, error, description] of cases) {
    test(`${name} → ${status} ${error}, nothing stored`, async () => {
      const d = await Dpop.create();
      await par(e, d); // obtains a nonce (and stores one valid request)
      const before = [await count("oauth_request"), await count("oauth_code_challenge")];
      const { res } = await par(e, d, over);
      expect([res.status, res.body.error, res.body.error_description]).toEqual([status, error, description]);
      expect([await count("oauth_request"), await count("oauth_code_challenge")]).toEqual(before);
    });
  }

  test("a code_challenge used before → 400 invalid_request", async () => {
    const d = await Dpop.create();
    const first = await par(e, d);
    expect(first.res.status).toBe(201);
    const again = await par(e, d, { code_challenge: first.form.code_challenge });
    expect([again.res.status, again.res.body.error, again.res.body.error_description]).toEqual([400, "invalid_request", "code_challenge already used"]);
  });

  test("DPoP: htu for another path, htm GET on a POST, the same proof twice", async () => {
    const d = await Dpop.create();
    await par(e, d);
    const htu = await par(e, d, {}, { htu: `${issuerOf(e)}/oauth/token` });
    expect([htu.res.status, htu.res.body.error, htu.res.body.error_description]).toEqual([401, "invalid_dpop_proof", 'DPoP "htu" mismatch']);
    const getProof = await d.proof("GET", `${issuerOf(e)}/oauth/par`);
    const htm = await par(e, d, {}, { header: getProof });
    expect([htm.res.status, htm.res.body.error_description]).toEqual([401, 'DPoP "htm" mismatch']);
    const proof = await d.proof("POST", `${issuerOf(e)}/oauth/par`);
    const once = await par(e, d, {}, { header: proof });
    expect(once.res.status).toBe(201);
    const twice = await par(e, d, {}, { header: proof });
    expect([twice.res.status, twice.res.body.error, twice.res.body.error_description]).toEqual([401, "invalid_dpop_proof", "DPoP proof replayed"]);
  });
});

describe("the page", () => {
  test("without request_uri, or an unknown one → 400 HTML page, never a redirect", async () => {
    const missing = await fetch(`${e.url}/oauth/authorize?client_id=${encodeURIComponent(loopbackClientId())}`, { redirect: "manual" });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("Pushed authorization request required");
    const unknown = await fetch(`${e.url}/oauth/authorize?${new URLSearchParams({ client_id: loopbackClientId(), request_uri: "urn:ietf:params:oauth:request_uri:req-00000000000000000000000000000000" })}`, { redirect: "manual" });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get("location")).toBeNull();
    expect(await unknown.text()).toContain("This sign-in link has expired; return to the app and try again");
  });

  test("headers: the CSP names the redirect target in form-action; no-store, no-referrer, DENY; labelled inputs", async () => {
    const d = await Dpop.create();
    const { res } = await par(e, d);
    const page = await fetch(`${e.url}/oauth/authorize?${new URLSearchParams({ client_id: loopbackClientId(), request_uri: res.body.request_uri })}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' http://127.0.0.1; frame-ancestors 'none'; base-uri 'none'");
    expect([page.headers.get("cache-control"), page.headers.get("referrer-policy"), page.headers.get("x-frame-options")]).toEqual(["no-store", "no-referrer", "DENY"]);
    expect(page.headers.get("set-cookie")).toMatch(/^ofpds-device=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    const html = await page.text();
    expect(html).toContain('<label for="identifier">');
    expect(html).toContain('<label for="password">');
    expect(html).toContain('autocomplete="current-password"');
    expect(html).not.toContain("<script");
  });

  test("a consent POST without the CSRF token → 403 and no code", async () => {
    const u = await approvedUser(e);
    const d = await Dpop.create();
    const { res } = await par(e, d);
    const flow = await pageFlow(e, loopbackClientId(), res.body.request_uri, { identifier: u.name, password: "Correct-horse-9" }, null);
    expect(flow.signed.status).toBe(200);
    const noCsrf = await fetch(flow.url, { method: "POST", redirect: "manual", headers: { cookie: flow.cookie, "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" }, body: "step=allow" });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.headers.get("location")).toBeNull();
    const crossSite = await fetch(flow.url, { method: "POST", redirect: "manual", headers: { cookie: flow.cookie, "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site" }, body: `csrf=${flow.csrf}&step=allow` });
    expect(crossSite.status).toBe(403);
    const id = res.body.request_uri.split(":").pop();
    expect((await e.sql("SELECT code_hash FROM oauth_request WHERE id = ?", id))[0]).toEqual({ code_hash: null });
    expect((await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'oauth.authorize' AND target_did = ?", u.did))[0]).toEqual({ n: 0 });
  });

  test("Deny → 303 to the redirect with error=access_denied, state and iss; the request is gone; audit oauth.deny", async () => {
    const u = await approvedUser(e);
    const d = await Dpop.create();
    const { res, form } = await par(e, d);
    const flow = await pageFlow(e, loopbackClientId(), res.body.request_uri, { identifier: u.name, password: "Correct-horse-9" }, "deny");
    expect(flow.final!.status).toBe(303);
    const loc = new URL(flow.location!);
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    expect([loc.searchParams.get("error"), loc.searchParams.get("state"), loc.searchParams.get("iss"), loc.searchParams.get("code")]).toEqual(["access_denied", form.state!, issuerOf(e), null]);
    expect((await e.sql("SELECT count(*) AS n FROM oauth_request WHERE id = ?", res.body.request_uri.split(":").pop()))[0]).toEqual({ n: 0 });
    expect((await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'oauth.deny' AND target_did = ?", u.did))[0]).toEqual({ n: 1 });
  });

  test("prompt=none without a signed-in device → redirect with error=login_required, state, iss", async () => {
    const d = await Dpop.create();
    const { res, form } = await par(e, d, { prompt: "none" });
    const page = await fetch(`${e.url}/oauth/authorize?${new URLSearchParams({ client_id: loopbackClientId(), request_uri: res.body.request_uri })}`, { redirect: "manual" });
    expect(page.status).toBe(303);
    const loc = new URL(page.headers.get("location")!);
    expect([loc.searchParams.get("error"), loc.searchParams.get("state"), loc.searchParams.get("iss")]).toEqual(["login_required", form.state!, issuerOf(e)]);
  });

  test("an app password, a pending account, a wrong password: refused on the page, nothing issued; failures audited via oauth", async () => {
    const u = await approvedUser(e);
    const app = await ok(call(e.url, "com.atproto.server.createAppPassword", { token: u.accessJwt, body: { name: "phone" } }));
    const d = await Dpop.create();
    const { res } = await par(e, d);
    const withApp = await pageFlow(e, loopbackClientId(), res.body.request_uri, { identifier: u.name, password: app.password }, null);
    expect(withApp.signed.status).toBe(401);
    expect(withApp.signed.html).toContain('role="alert">Invalid identifier or password<');
    expect(withApp.signed.html).not.toContain("Allow");
    const audited = (await e.sql<{ meta: string }>("SELECT meta FROM audit_log WHERE action = 'session.loginFailed' AND target_did = ? ORDER BY id DESC LIMIT 1", u.did))[0]!;
    expect(JSON.parse(audited.meta)).toMatchObject({ reason: "wrong_password", via: "oauth" });
    const pending = await register(e);
    const { res: res2 } = await par(e, d);
    const p = await pageFlow(e, loopbackClientId(), res2.body.request_uri, { identifier: pending.handle ?? pending.did, password: "Correct-horse-9" }, null);
    expect(p.signed.html).toContain("This account is awaiting approval");
    expect((await e.sql("SELECT count(*) AS n FROM oauth_request WHERE did IS NOT NULL AND id = ?", res2.body.request_uri.split(":").pop()))[0]).toEqual({ n: 0 });
  });
});

describe("lockout shared with createSession", () => {
  test("five wrong passwords on the page → the sixth, even correct, is locked there and in createSession", async () => {
    const u = await approvedUser(e);
    const d = await Dpop.create();
    const { res } = await par(e, d);
    const flow = await pageFlow(e, loopbackClientId(), res.body.request_uri, { identifier: u.name, password: "wrong-password-1" }, null);
    expect(flow.signed.status).toBe(401);
    const attempt = (password: string) => fetch(flow.url, { method: "POST", redirect: "manual", headers: { cookie: flow.cookie, "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" }, body: new URLSearchParams({ csrf: flow.csrf, step: "signin", identifier: u.name, password }).toString() });
    for (let i = 2; i <= 5; i++) expect((await attempt(`wrong-password-${i}`)).status).toBe(401);
    const locked = await attempt("Correct-horse-9");
    expect(locked.status).toBe(429);
    expect(await locked.text()).toContain("Too many failed login attempts; try again later");
    const cs = await call(e.url, "com.atproto.server.createSession", { body: { identifier: u.name, password: "Correct-horse-9" } });
    expect([cs.status, cs.body.error]).toEqual([429, "AccountLocked"]);
    expect((await e.sql("SELECT did FROM oauth_request WHERE id = ?", res.body.request_uri.split(":").pop()))[0]).toEqual({ did: null });
  });
});

describe("token endpoint", () => {
  async function codeFor(u: { name: string }) {
    const dpop = await Dpop.create();
    const { res, verifier } = await par(e, dpop);
    const flow = await pageFlow(e, loopbackClientId(), res.body.request_uri, { identifier: u.name, password: "Correct-horse-9" });
    return { dpop, verifier, code: new URL(flow.location!).searchParams.get("code")! };
  }
  const exchange = (c: { dpop: Dpop | null; code: string }, verifier: string, extra: Record<string, string> = {}) =>
    asPost(e, "/oauth/token", { grant_type: "authorization_code", code: c.code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: loopbackClientId(), ...extra }, c.dpop);

  test("without DPoP → 401 invalid_dpop_proof; the code still works afterwards", async () => {
    const c = await codeFor(await approvedUser(e));
    const r = await exchange({ ...c, dpop: null }, c.verifier);
    expect([r.status, r.body.error, r.body.error_description]).toEqual([401, "invalid_dpop_proof", "DPoP proof required"]);
    expect((await exchange(c, c.verifier)).status).toBe(200);
  });

  test("a wrong verifier → Invalid code_verifier; the right one afterwards → Invalid code; no session", async () => {
    const u = await approvedUser(e);
    const c = await codeFor(u);
    const wrong = await exchange(c, "x".repeat(43));
    expect([wrong.status, wrong.body.error, wrong.body.error_description]).toEqual([400, "invalid_grant", "Invalid code_verifier"]);
    const right = await exchange(c, c.verifier);
    expect([right.status, right.body.error, right.body.error_description]).toEqual([400, "invalid_grant", "Invalid code"]);
    expect((await e.sql("SELECT count(*) AS n FROM oauth_session WHERE did = ?", u.did))[0]).toEqual({ n: 0 });
  });

  test("another DPoP key than the PAR's → the binding message; a replayed code → Invalid code and the first token is dead", async () => {
    const u = await approvedUser(e);
    const c = await codeFor(u);
    const other = await Dpop.create();
    await asPost(e, "/oauth/token", {}, other); // obtains a nonce
    const bound = await exchange({ ...c, dpop: other }, c.verifier);
    expect([bound.status, bound.body.error, bound.body.error_description]).toEqual([400, "invalid_grant", "DPoP proof does not match the key of the authorization request"]);

    const c2 = await codeFor(u);
    const first = await exchange(c2, c2.verifier);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: "DPoP", scope: "atproto transition:generic", sub: u.did, expires_in: 900 });
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.body.refresh_token).toMatch(/^ofr_/);
    expect((await xrpcDpop(e, "com.atproto.server.getSession", first.body.access_token, c2.dpop)).status).toBe(200);
    const replay = await exchange(c2, c2.verifier);
    expect([replay.status, replay.body.error, replay.body.error_description]).toEqual([400, "invalid_grant", "Invalid code"]);
    const dead = await xrpcDpop(e, "com.atproto.server.getSession", first.body.access_token, c2.dpop);
    expect([dead.status, dead.body.error]).toEqual([401, "invalid_token"]);
    expect((await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'oauth.session.reuseDetected' AND target_did = ?", u.did))[0]).toEqual({ n: 1 });
  });

  test("refresh rotates; another key → invalid_grant; a rotated token after 10 s → replayed and the session revoked", async () => {
    const u = await approvedUser(e);
    const a = await authorizeRaw(e, u);
    const other = await Dpop.create();
    await asPost(e, "/oauth/token", {}, other);
    const stolen = await asPost(e, "/oauth/token", { grant_type: "refresh_token", refresh_token: a.tokens.refresh_token, client_id: a.clientId }, other);
    expect([stolen.status, stolen.body.error, stolen.body.error_description]).toEqual([400, "invalid_grant", "DPoP proof does not match the key of the authorization request"]);
    const r1 = await asPost(e, "/oauth/token", { grant_type: "refresh_token", refresh_token: a.tokens.refresh_token, client_id: a.clientId }, a.dpop);
    expect(r1.status).toBe(200);
    expect(r1.body.refresh_token).not.toBe(a.tokens.refresh_token);
    // a duplicate in flight (within 10 s) gets the same answer
    const dup = await asPost(e, "/oauth/token", { grant_type: "refresh_token", refresh_token: a.tokens.refresh_token, client_id: a.clientId }, a.dpop);
    expect(dup.body.refresh_token).toBe(r1.body.refresh_token);
    advance(e, 11_000);
    const late = await asPost(e, "/oauth/token", { grant_type: "refresh_token", refresh_token: a.tokens.refresh_token, client_id: a.clientId }, a.dpop);
    expect([late.status, late.body.error, late.body.error_description]).toEqual([400, "invalid_grant", "Refresh token replayed"]);
    const after = await asPost(e, "/oauth/token", { grant_type: "refresh_token", refresh_token: r1.body.refresh_token, client_id: a.clientId }, a.dpop);
    expect([after.status, after.body.error_description]).toEqual([400, "Session revoked"]);
  });
});

describe("OAuth tokens on XRPC", () => {
  test("the post: Authorization DPoP with a proof, DPoP-Nonce in the answer; no proof / Bearer / stale nonce refused", async () => {
    const u = await approvedUser(e);
    const a = await authorizeRaw(e, u);
    const created = await xrpcDpop(e, "com.atproto.repo.createRecord", a.tokens.access_token, a.dpop, { body: post(u.did, "hi") });
    expect([created.status, created.body.validationStatus]).toEqual([200, "valid"]);
    expect(created.headers.get("dpop-nonce")).toBeTruthy();

    const noProof = await xrpcDpop(e, "com.atproto.server.getSession", a.tokens.access_token, null);
    expect([noProof.status, noProof.body.error, noProof.body.message]).toEqual([401, "invalid_dpop_proof", "DPoP proof required"]);
    expect(noProof.headers.get("www-authenticate")).toStartWith("DPoP ");
    const bearer = await call(e.url, "com.atproto.server.getSession", { token: a.tokens.access_token });
    expect([bearer.status, bearer.body.error, bearer.body.message]).toEqual([401, "invalid_token", "Access token is bound to a DPoP proof, but token type is Bearer"]);
    const badAth = await xrpcDpop(e, "com.atproto.server.getSession", a.tokens.access_token, a.dpop, { ath: b64sha("another token") });
    expect([badAth.status, badAth.body.message]).toEqual([401, 'DPoP "ath" mismatch']);

    advance(e, 4 * 60_000); // the client's nonce is now older than 3 minutes
    const stale = await xrpcDpop(e, "com.atproto.server.getSession", a.tokens.access_token, a.dpop, { raw: true });
    expect([stale.status, stale.body.error]).toEqual([401, "use_dpop_nonce"]);
    expect(stale.headers.get("www-authenticate")).toContain('error="use_dpop_nonce"');
    const retried = await xrpcDpop(e, "com.atproto.server.getSession", a.tokens.access_token, a.dpop);
    expect([retried.status, retried.body.did]).toEqual([200, u.did]);
  });

  test("staff methods and account management → 403 Forbidden, even for an admin; atproto alone cannot write", async () => {
    const admin = await authorizeRaw(e, { name: ADMIN.handle, password: ADMIN.password });
    const invites = await count("invites");
    const staff = await xrpcDpop(e, "net.openfederation.invite.create", admin.tokens.access_token, admin.dpop, { body: {} });
    expect([staff.status, staff.body.error, staff.body.message]).toEqual([403, "Forbidden", "OAuth credentials are not supported for this endpoint"]);
    expect(await count("invites")).toBe(invites);
    const u = await approvedUser(e);
    const a = await authorizeRaw(e, u);
    const appPw = await xrpcDpop(e, "com.atproto.server.createAppPassword", a.tokens.access_token, a.dpop, { body: { name: "x" } });
    expect([appPw.status, appPw.body.error]).toEqual([403, "Forbidden"]);
    expect((await e.sql("SELECT count(*) AS n FROM app_passwords WHERE did = ?", u.did))[0]).toEqual({ n: 0 });
    const refresh = await xrpcDpop(e, "com.atproto.server.refreshSession", a.tokens.access_token, a.dpop, { body: {} });
    expect([refresh.status, refresh.body.error]).toEqual([401, "InvalidToken"]);

    const only = await authorizeRaw(e, u, { scope: "atproto" });
    const write = await xrpcDpop(e, "com.atproto.repo.createRecord", only.tokens.access_token, only.dpop, { body: post(u.did, "no") });
    expect([write.status, write.body.error, write.body.message]).toEqual([403, "ScopeMissingError", 'Missing required scope "transition:generic"']);
    expect((await e.sql("SELECT count(*) AS n FROM records WHERE did = ? AND collection = 'app.bsky.feed.post'", u.did))[0]).toEqual({ n: 0 });
    const me = await xrpcDpop(e, "com.atproto.server.getSession", only.tokens.access_token, only.dpop);
    expect([me.status, me.body.did, me.body.email, me.body.emailConfirmed]).toEqual([200, u.did, undefined, undefined]);
    const adminMe = await xrpcDpop(e, "com.atproto.server.getSession", admin.tokens.access_token, admin.dpop);
    expect([adminMe.status, adminMe.body.email, adminMe.body.roles]).toEqual([200, undefined, []]);
  });

  test("revocation: /oauth/revoke ends the session at once; disabling the account revokes its OAuth sessions", async () => {
    const u = await approvedUser(e);
    const a = await authorizeRaw(e, u);
    const rv = await asPost(e, "/oauth/revoke", { token: a.tokens.refresh_token, client_id: a.clientId }, null);
    expect([rv.status, rv.body]).toEqual([200, {}]);
    const dead = await xrpcDpop(e, "com.atproto.server.getSession", a.tokens.access_token, a.dpop);
    expect([dead.status, dead.body.error]).toEqual([401, "invalid_token"]);
    const unknown = await asPost(e, "/oauth/revoke", { token: "ofr_unknown", client_id: a.clientId }, null);
    expect([unknown.status, unknown.body]).toEqual([200, {}]);

    const b = await authorizeRaw(e, u);
    await ok(call(e.url, "net.openfederation.account.disable", { token: e.admin.accessJwt, body: { did: u.did } }));
    const call1 = await xrpcDpop(e, "com.atproto.server.getSession", b.tokens.access_token, b.dpop);
    expect([call1.status, call1.body.error]).toEqual([401, "invalid_token"]);
    const ref = await asPost(e, "/oauth/token", { grant_type: "refresh_token", refresh_token: b.tokens.refresh_token, client_id: b.clientId }, b.dpop);
    expect([ref.status, ref.body.error, ref.body.error_description]).toEqual([400, "invalid_grant", "Session revoked"]);
    expect(await e.sql("SELECT revoked_by FROM oauth_session WHERE did = ? ORDER BY created_at", u.did)).toEqual([{ revoked_by: "client" }, { revoked_by: "system" }]);
  });
});

describe("the holder's OAuth sessions (11 §9.2)", () => {
  const LIST = "net.openfederation.account.listOAuthSessions";
  const REVOKE = "net.openfederation.account.revokeOAuthSession";
  test("list newest first with a cursor; revoke by id and by client; refusals; OAuth and app-password tokens refused", async () => {
    const u = await approvedUser(e);
    const a = await authorizeRaw(e, u);
    const b = await authorizeRaw(e, u);
    const c = await authorizeRaw(e, u, { scope: "atproto" });
    const ids = (await e.sql<{ id: string }>("SELECT id FROM oauth_session WHERE did = ? ORDER BY created_at DESC, id DESC", u.did)).map((r) => r.id);
    const page1 = await ok(call(e.url, LIST, { token: u.accessJwt, params: { limit: 2 } }));
    const page2 = await ok(call(e.url, LIST, { token: u.accessJwt, params: { limit: 2, cursor: page1.cursor } }));
    expect([...page1.sessions, ...page2.sessions].map((s: { id: string }) => s.id)).toEqual(ids);
    expect(page2.cursor).toBeUndefined();
    expect(page1.sessions[0]).toMatchObject({ clientId: loopbackClientId(REDIRECT, "atproto"), clientHost: "localhost", confidential: false, scope: "atproto" });

    const viaOAuth = await xrpcDpop(e, LIST, a.tokens.access_token, a.dpop);
    expect([viaOAuth.status, viaOAuth.body.error]).toEqual([403, "Forbidden"]);
    const app = await ok(call(e.url, "com.atproto.server.createAppPassword", { token: u.accessJwt, body: { name: "phone" } }));
    const appSession = await ok(call(e.url, "com.atproto.server.createSession", { body: { identifier: u.name, password: app.password } }));
    const viaApp = await call(e.url, LIST, { token: appSession.accessJwt });
    expect([viaApp.status, viaApp.body.error, viaApp.body.message]).toEqual([400, "InvalidToken", "Bad token scope"]);

    const audits = async () => ((await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'oauth.session.revoke' AND target_did = ?", u.did))[0] as { n: number }).n;
    for (const body of [{}, { id: ids[0], clientId: a.clientId }]) {
      const bad = await call(e.url, REVOKE, { token: u.accessJwt, body });
      expect([bad.status, bad.body.error, bad.body.message]).toEqual([400, "InvalidRequest", "Exactly one of id and clientId is required"]);
    }
    const unknown = await call(e.url, REVOKE, { token: u.accessJwt, body: { id: "oas_00000000000000000000000000000000" } });
    expect([unknown.status, unknown.body.error]).toEqual([404, "NotFound"]);
    expect(await audits()).toBe(0);
    expect(await ok(call(e.url, REVOKE, { token: u.accessJwt, body: { id: ids[0] } }))).toEqual({ success: true, revoked: 1 });
    expect((await xrpcDpop(e, "com.atproto.server.getSession", c.tokens.access_token, c.dpop)).status).toBe(401);
    expect(await ok(call(e.url, REVOKE, { token: u.accessJwt, body: { clientId: a.clientId } }))).toEqual({ success: true, revoked: 2 });
    for (const t of [a, b]) expect((await xrpcDpop(e, "com.atproto.server.getSession", t.tokens.access_token, t.dpop)).body.error).toBe("invalid_token");
    expect((await ok(call(e.url, LIST, { token: u.accessJwt }))).sessions).toEqual([]);
    expect(await audits()).toBe(3);
    expect(await e.sql("SELECT DISTINCT revoked_by FROM oauth_session WHERE did = ?", u.did)).toEqual([{ revoked_by: "user" }]);
  });
});

describe("logging", () => {
  test("each OAuth request is logged once, by path without query; no token, code or verifier ever appears", async () => {
    const u = await approvedUser(e);
    const a = await authorizeRaw(e, u);
    const logs = e.pds.logs();
    for (const [path, status] of [["/oauth/par", 201], ["/oauth/authorize", 200], ["/oauth/authorize", 303], ["/oauth/token", 200]] as const) {
      expect(logs).toContain(`"path":"${path}","status":${status}`);
    }
    for (const secret of [a.tokens.access_token, a.tokens.refresh_token, a.code, a.verifier]) expect(logs).not.toContain(secret);
  });
});

describe("expiry", () => {
  test("a code older than 5 minutes → This code has expired; a PAR request older than 5 minutes → the expired page", async () => {
    const u = await approvedUser(e);
    const dpop = await Dpop.create();
    const { res, verifier } = await par(e, dpop);
    const flow = await pageFlow(e, loopbackClientId(), res.body.request_uri, { identifier: u.name, password: "Correct-horse-9" });
    const code = new URL(flow.location!).searchParams.get("code")!;
    const { res: later } = await par(e, dpop);
    advance(e, 6 * 60_000);
    const old = await asPost(e, "/oauth/token", { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: loopbackClientId() }, dpop);
    expect([old.status, old.body.error, old.body.error_description]).toEqual([400, "invalid_grant", "This code has expired"]);
    expect((await e.sql("SELECT count(*) AS n FROM oauth_session WHERE did = ?", u.did))[0]).toEqual({ n: 0 });
    const page = await fetch(`${e.url}/oauth/authorize?${new URLSearchParams({ client_id: loopbackClientId(), request_uri: later.body.request_uri })}`, { redirect: "manual" });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("This sign-in link has expired");
  });
});

describe("the hourly sweep (run through the --dev trigger)", () => {
  test("expired requests and challenges go, sessions revoked more than 7 days ago go, live sessions stay", async () => {
    const d = await Dpop.create();
    await par(e, d);
    const live = await count("oauth_session WHERE revoked_at IS NULL");
    expect(await count("oauth_session WHERE revoked_at IS NOT NULL")).toBeGreaterThan(0);
    expect(await count("oauth_request")).toBeGreaterThan(0);
    advance(e, 8 * 24 * 3_600_000);
    const run = await fetch(`${e.url}/_dev/jobs/oauth-sweep`, { method: "POST" });
    expect(run.status).toBe(200);
    expect([await count("oauth_request"), await count("oauth_code_challenge"), await count("oauth_session WHERE revoked_at IS NOT NULL")]).toEqual([0, 0, 0]);
    expect(await count("oauth_session WHERE revoked_at IS NULL")).toBe(live);
  });
});
