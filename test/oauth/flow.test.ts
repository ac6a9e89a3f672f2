// The real @atproto/oauth-client-node with a loopback client against `ofpds serve --dev`, headless Chromium on our
// sign-in and consent pages: authorize → Allow → callback → createRecord with DPoP → refresh → signOut → refused.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Agent } from "@atproto/api";
import { NodeOAuthClient, requestLocalLock, type NodeSavedSession, type NodeSavedState } from "@atproto/oauth-client-node";
import { buildAtprotoLoopbackClientMetadata, oauthAuthorizationServerMetadataSchema, oauthProtectedResourceMetadataSchema } from "@atproto/oauth-types";
import type { Browser } from "playwright-core";
import { approvedUser, call, ok, startEnv, type Env } from "../account/_support.ts";
import { launchChromium } from "../sdk/_browser.ts";
import { issuerOf, SCOPE } from "./_support.ts";

let e: Env;
let browser: Browser;
let callbackServer: ReturnType<typeof Bun.serve>;
let received: URLSearchParams | undefined;

beforeAll(async () => {
  e = await startEnv();
  browser = await launchChromium();
  callbackServer = Bun.serve({
    hostname: "127.0.0.1", port: 0,
    fetch: (req) => {
      const u = new URL(req.url);
      if (u.pathname === "/callback") received = u.searchParams;
      return new Response("signed in", { headers: { "content-type": "text/plain" } });
    },
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  callbackServer?.stop(true);
  await e?.stop();
});

function memoryStore<T>() {
  const m = new Map<string, T>();
  return { set: async (k: string, v: T) => void m.set(k, v), get: async (k: string) => m.get(k), del: async (k: string) => void m.delete(k) };
}

test("discovery documents validate against the @atproto/oauth-types schemas", async () => {
  const pr = await fetch(`${e.url}/.well-known/oauth-protected-resource`);
  expect(pr.status).toBe(200);
  expect(pr.headers.get("access-control-allow-origin")).toBe("*");
  expect(pr.headers.get("cache-control")).toBe("max-age=60");
  const prBody = oauthProtectedResourceMetadataSchema.parse(await pr.json());
  expect(prBody.resource as string).toBe(issuerOf(e));
  const as = await fetch(`${e.url}/.well-known/oauth-authorization-server`);
  const asBody = oauthAuthorizationServerMetadataSchema.parse(await as.json());
  expect(asBody.issuer as string).toBe(issuerOf(e));
  expect(asBody.require_pushed_authorization_requests).toBe(true);
  expect(asBody.code_challenge_methods_supported).toEqual(["S256"]);
  const jwks = await (await fetch(`${e.url}/oauth/jwks`)).json();
  expect(jwks.keys).toHaveLength(1);
  expect(jwks.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
  expect(jwks.keys[0].d).toBeUndefined();
});

test("full flow: Chromium signs in and allows; the session posts, refreshes, signs out; the token is then refused", async () => {
  const user = await approvedUser(e);
  const handle = `${user.name}.test`;
  const redirect = `http://127.0.0.1:${callbackServer.port}/callback`;
  const sessions = memoryStore<NodeSavedSession>();
  const saved = async () => (await sessions.get(user.did))!;
  const client = new NodeOAuthClient({
    clientMetadata: buildAtprotoLoopbackClientMetadata({ scope: SCOPE, redirect_uris: [redirect] }),
    stateStore: memoryStore<NodeSavedState>(), sessionStore: sessions,
    handleResolver: e.url, plcDirectoryUrl: e.pds.plcUrl, allowHttp: true, requestLock: requestLocalLock,
  });
  const url = await client.authorize(handle, { scope: SCOPE });
  expect(url.origin).toBe(issuerOf(e));

  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  received = undefined;
  await page.goto(url.toString());
  const identifier = page.getByLabel("Handle, email or DID");
  expect(await identifier.inputValue()).toBe(handle);
  await page.getByLabel("Password").fill("Correct-horse-9");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForLoadState();
  if (!(await page.getByRole("button", { name: "Allow" }).count())) throw new Error(`no consent page: ${await page.content()}`);
  const consent = await page.content();
  expect(consent).toContain("Development client on this device");
  expect(consent).toContain(`@${handle}`);
  expect(consent).toContain(user.did);
  expect(consent).toContain("Create, change and delete anything in your repository");
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL((u) => u.pathname === "/callback");
  await context.close();
  const got = received as URLSearchParams | undefined;
  expect(got?.get("iss")).toBe(issuerOf(e));
  expect(got?.get("code")).toMatch(/^ofc_/);
  expect(got?.get("state")).toBeTruthy();

  const { session } = await client.callback(got!);
  expect(session.did).toBe(user.did);
  const info = await session.getTokenInfo(false);
  expect(info.scope.split(" ").sort()).toEqual(["atproto", "transition:generic"]);
  expect(info.sub).toBe(user.did);
  expect((await e.sql("SELECT action FROM audit_log WHERE action LIKE 'oauth.%' AND target_did = ? ORDER BY id", user.did)).map((r: any) => r.action)).toEqual(["oauth.authorize", "oauth.session.create"]);

  // a post with the DPoP-bound token (the raw suite checks the headers themselves)
  const agent = new Agent({ did: session.did, fetchHandler: (path, init) => session.fetchHandler(path, init) });
  const created = await agent.com.atproto.repo.createRecord({ repo: user.did, collection: "app.bsky.feed.post", record: { $type: "app.bsky.feed.post", text: "hello over OAuth", createdAt: new Date().toISOString() } });
  expect(created.data.validationStatus).toBe("valid");
  const rec = (await e.sql("SELECT count(*) AS n FROM records WHERE did = ? AND collection = 'app.bsky.feed.post'", user.did))[0];
  expect(rec.n).toBe(1);

  // forced refresh: new tokens, the next call works
  const before = (await saved()).tokenSet.access_token;
  await session.getTokenInfo(true);
  const after = (await saved()).tokenSet;
  expect(after.access_token).not.toBe(before);
  const me = await agent.com.atproto.server.getSession();
  expect(me.data.did).toBe(user.did);

  // signOut → /oauth/revoke; the session row is revoked by the client, the old token refused
  const row = (await e.sql("SELECT id FROM oauth_session WHERE did = ?", user.did))[0];
  const listed = await ok(call(e.url, "net.openfederation.account.listOAuthSessions", { token: user.accessJwt }));
  expect(listed.sessions.map((s: { id: string; clientHost: string }) => [s.id, s.clientHost])).toEqual([[row.id, "localhost"]]);
  await session.signOut();
  expect((await ok(call(e.url, "net.openfederation.account.listOAuthSessions", { token: user.accessJwt }))).sessions).toEqual([]);
  const revoked = (await e.sql("SELECT revoked_at, revoked_by FROM oauth_session WHERE id = ?", row.id))[0];
  expect(revoked.revoked_at).not.toBeNull();
  expect(revoked.revoked_by).toBe("client");
  expect((await e.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'oauth.session.revoke' AND target_did = ?", user.did))[0].n).toBe(1);
});
