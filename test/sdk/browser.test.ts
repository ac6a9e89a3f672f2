// The SDK in headless Chromium against a real `ofpds serve --dev`: a partner page loads /sdk/v1.js by script tag,
// registers, refreshes single-flight near expiry, logs out (revoking server-side), and surfaces typed errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { freePort } from "../_support/process.ts";
import { call, ok } from "../_support/xrpc.ts";
import { ADMIN, createKey, login, nextName, snapshot } from "../partner/_partner.ts";
import { launchChromium, logsSettled, openPage, serverCount, startPageServer, type PageServer } from "./_browser.ts";

type Sdk = typeof import("../../sdk/src/index.ts");
/** The pieces of an SDK error the tests compare (an Error does not cross page.evaluate whole). */
type ErrorShape = { name: string; status: number; error: string; message: string; retryAfter?: number };

const REFRESH = "com.atproto.server.refreshSession";
const MINUTE = 60_000;
// The server's --dev clock moves forward in these tests, so each test signs the admin in afresh.

let pds: RunningPds;
let site: PageServer;
let browser: Browser;
let partnerKey: string;

beforeAll(async () => {
  pds = await startPds(ADMIN);
  site = startPageServer(pds.url);
  partnerKey = (await createKey(pds, await login(pds), { allowedOrigins: [site.origin] })).key;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  site?.stop();
  await pds?.stop();
});

/** Requests the page itself sent to `nsid` (CORS preflights are not page requests). */
function pageRequests(page: Page, nsid: string): Array<{ method: string; authorization: string | undefined }> {
  const seen: Array<{ method: string; authorization: string | undefined }> = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === `/xrpc/${nsid}`) seen.push({ method: r.method(), authorization: r.headers().authorization });
  });
  return seen;
}

const account = () => {
  const name = nextName("sdk");
  return { handle: name, email: `${name}@example.org`, password: `Pw-${name}-2026-long` };
};

/** Runs in the page: creates a client (kept as window.__c) and registers a member; returns what the page saw. */
async function registerInPage(page: Page, input: ReturnType<typeof account>, options: Record<string, unknown> = {}) {
  return page.evaluate(
    async ({ serverUrl, partnerKey, input, options }) => {
      const OF = (window as unknown as { OpenFederation: Sdk }).OpenFederation;
      const events: Array<string | null> = [];
      const c = OF.createClient({ serverUrl: serverUrl + "/", partnerKey, onAuthChange: (u) => events.push(u && u.did), ...options });
      (window as unknown as { __c: typeof c; __events: typeof events }).__c = c;
      (window as unknown as { __events: typeof events }).__events = events;
      const user = await c.register(input);
      return { user, events: [...events], stored: localStorage.getItem("ofd_session") };
    },
    { serverUrl: pds.url, partnerKey, input, options },
  );
}

describe("a partner page on an allowed origin", () => {
  test("loads /sdk/v1.js, registers, reads the session, refreshes once for ten concurrent callers near expiry, logs out for good", async () => {
    const page = await openPage(browser, site.origin, { clock: true });
    const refreshes = pageRequests(page, REFRESH);
    const deletes = pageRequests(page, "com.atproto.server.deleteSession");
    const input = account();

    const reg = await registerInPage(page, input);
    expect(reg.user).toMatchObject({ email: input.email, active: true });
    expect(reg.user.handle.startsWith(`${input.handle}.`)).toBe(true);
    expect(reg.user.did).toMatch(/^did:plc:/);
    expect(reg.events).toEqual([reg.user.did]);
    const stored = JSON.parse(reg.stored!) as { accessJwt: string; refreshJwt: string; user: { did: string } };
    expect(stored.user.did).toBe(reg.user.did);

    const session = await page.evaluate(async () => {
      const c = (window as unknown as { __c: ReturnType<Sdk["createClient"]> }).__c;
      return { server: await c.getSession(), stored: c.getUser(), authenticated: c.isAuthenticated() };
    });
    expect(session.server).toMatchObject({ did: reg.user.did, handle: reg.user.handle, email: input.email });
    const { primaryRotationKey, status, ...user } = reg.user as typeof reg.user & { status?: string };
    expect(primaryRotationKey).toBeDefined();
    expect(status).toBe("approved");
    expect(session.stored).toEqual(user);
    expect(session.authenticated).toBe(true);

    // 14.5 of the token's 15 minutes pass, on the server and in the browser alike (no timers fire): the access
    // token is inside the SDK's 60 s refresh margin but still valid, and the refresh token is good.
    pds.advanceClock(14.5 * MINUTE);
    await page.clock.setSystemTime(Date.now() + 14.5 * MINUTE);
    await logsSettled(pds);
    const before = serverCount(pds, "POST", REFRESH);
    const tokens = await page.evaluate(async () => {
      const c = (window as unknown as { __c: ReturnType<Sdk["createClient"]> }).__c;
      return Promise.all(Array.from({ length: 10 }, () => c.getAccessToken()));
    });
    await logsSettled(pds);
    expect(serverCount(pds, "POST", REFRESH) - before).toBe(1);
    expect(refreshes).toEqual([{ method: "POST", authorization: `Bearer ${stored.refreshJwt}` }]);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(stored.accessJwt);
    expect(tokens[0]).toMatch(/^ey/);

    const out = await page.evaluate(async () => {
      const c = (window as unknown as { __c: ReturnType<Sdk["createClient"]> }).__c;
      const refreshJwt = (JSON.parse(localStorage.getItem("ofd_session")!) as { refreshJwt: string }).refreshJwt;
      await c.logout();
      return {
        refreshJwt,
        stored: localStorage.getItem("ofd_session"),
        authenticated: c.isAuthenticated(),
        token: await c.getAccessToken(),
        events: (window as unknown as { __events: unknown[] }).__events,
      };
    });
    expect(deletes).toEqual([{ method: "POST", authorization: `Bearer ${out.refreshJwt}` }]);
    expect(out).toMatchObject({ stored: null, authenticated: false, token: null, events: [reg.user.did, null] });
    // the server revoked the session: the refresh token the page held is refused
    const r = await call(pds.url, REFRESH, { token: out.refreshJwt, body: {} });
    expect({ status: r.status, error: r.body?.error }).toEqual({ status: 401, error: "InvalidToken" });
    await page.context().close();
  }, 60_000);

  test('storage:"memory" keeps the session out of localStorage and sessionStorage', async () => {
    const page = await openPage(browser, site.origin);
    const input = account();
    const r = await page.evaluate(
      async ({ serverUrl, partnerKey, input }) => {
        const OF = (window as unknown as { OpenFederation: Sdk }).OpenFederation;
        localStorage.clear();
        sessionStorage.clear();
        const c = OF.createClient({ serverUrl, partnerKey, storage: "memory" });
        const user = await c.register(input);
        const session = await c.getSession();
        return { user, session, token: await c.getAccessToken(), authenticated: c.isAuthenticated(), local: localStorage.length, session2: sessionStorage.length };
      },
      { serverUrl: pds.url, partnerKey, input },
    );
    expect(r.session.did).toBe(r.user.did);
    expect(r.token).toMatch(/^ey/);
    expect(r.authenticated).toBe(true);
    expect({ local: r.local, session: r.session2 }).toEqual({ local: 0, session: 0 });
    await page.context().close();
  }, 30_000);
});

describe("refusals and typed errors", () => {
  test("a browser origin not on the key's list is refused: ForbiddenError 403 Forbidden \"Origin not allowed\", nothing written", async () => {
    const page = await openPage(browser, site.otherOrigin);
    const admin = await login(pds);
    const before = await snapshot(pds, admin);
    const r = await page.evaluate(
      async ({ serverUrl, partnerKey, input }) => {
        const OF = (window as unknown as { OpenFederation: Sdk }).OpenFederation;
        const c = OF.createClient({ serverUrl, partnerKey });
        try {
          await c.register(input);
          return { err: null, authenticated: c.isAuthenticated(), stored: localStorage.length };
        } catch (e) {
          const x = e as ErrorShape;
          return { err: { name: x.name, status: x.status, error: x.error, message: x.message, forbidden: e instanceof OF.ForbiddenError }, authenticated: c.isAuthenticated(), stored: localStorage.length };
        }
      },
      { serverUrl: pds.url, partnerKey, input: account() },
    );
    expect(r).toEqual({ err: { name: "ForbiddenError", status: 403, error: "Forbidden", message: "Origin not allowed", forbidden: true }, authenticated: false, stored: 0 });
    expect(await snapshot(pds, admin)).toEqual(before);
    await page.context().close();
  }, 30_000);

  test("register without a partner key: ValidationError PartnerKeyRequired, and no request leaves the page", async () => {
    const page = await openPage(browser, site.origin);
    const sent = pageRequests(page, "net.openfederation.partner.register");
    const admin = await login(pds);
    const before = await snapshot(pds, admin);
    const r = await page.evaluate(
      async ({ serverUrl, input }) => {
        const OF = (window as unknown as { OpenFederation: Sdk }).OpenFederation;
        const c = OF.createClient({ serverUrl });
        try {
          await c.register(input);
          return null;
        } catch (e) {
          const x = e as ErrorShape;
          return { name: x.name, status: x.status, error: x.error, validation: e instanceof OF.ValidationError, authenticated: c.isAuthenticated() };
        }
      },
      { serverUrl: pds.url, input: account() },
    );
    expect(r).toEqual({ name: "ValidationError", status: 400, error: "PartnerKeyRequired", validation: true, authenticated: false });
    expect(sent).toEqual([]);
    expect(await snapshot(pds, admin)).toEqual(before);
    await page.context().close();
  }, 30_000);

  test("a NetworkError keeps the tokens; an InvalidToken verdict clears them and signs out", async () => {
    const page = await openPage(browser, site.origin);
    const reg = await registerInPage(page, account());
    const closed = `http://127.0.0.1:${await freePort()}`;
    const net = await page.evaluate(async (serverUrl) => {
      const OF = (window as unknown as { OpenFederation: Sdk }).OpenFederation;
      // a second client on the same storage whose server does not answer
      const down = OF.createClient({ serverUrl });
      const before = localStorage.getItem("ofd_session");
      try {
        await down.refresh();
        return null;
      } catch (e) {
        const x = e as ErrorShape;
        return { name: x.name, status: x.status, error: x.error, network: e instanceof OF.NetworkError, authenticated: down.isAuthenticated(), kept: localStorage.getItem("ofd_session") === before };
      } finally {
        down.destroy();
      }
    }, closed);
    expect(net).toEqual({ name: "NetworkError", status: 0, error: "NetworkError", network: true, authenticated: true, kept: true });

    // the session is revoked behind the page's back: the next refresh gets the server's InvalidToken verdict
    const { refreshJwt } = JSON.parse(reg.stored!) as { refreshJwt: string };
    expect((await call(pds.url, "com.atproto.server.deleteSession", { token: refreshJwt, body: {} })).status).toBe(200);
    const invalid = await page.evaluate(async () => {
      const w = window as unknown as { __c: ReturnType<Sdk["createClient"]>; __events: unknown[]; OpenFederation: Sdk };
      try {
        await w.__c.refresh();
        return null;
      } catch (e) {
        const x = e as ErrorShape;
        return { name: x.name, status: x.status, error: x.error, auth: e instanceof w.OpenFederation.AuthenticationError, authenticated: w.__c.isAuthenticated(), stored: localStorage.getItem("ofd_session"), events: w.__events };
      }
    });
    expect(invalid).toEqual({ name: "AuthenticationError", status: 401, error: "InvalidToken", auth: true, authenticated: false, stored: null, events: [reg.user.did, null] });
    await page.context().close();
  }, 30_000);

  test("fetch refreshes once and retries once when the server says ExpiredToken", async () => {
    const page = await openPage(browser, site.origin);
    const reg = await registerInPage(page, account());
    // 16 minutes pass on the server only: the browser still sees a fresh token, the server calls it expired
    pds.advanceClock(16 * MINUTE);
    await logsSettled(pds);
    const refreshes = serverCount(pds, "POST", REFRESH);
    const gets = serverCount(pds, "GET", "com.atproto.server.getSession");
    const out = await page.evaluate(async () => {
      const c = (window as unknown as { __c: ReturnType<Sdk["createClient"]> }).__c;
      return c.fetch<{ did: string }>("com.atproto.server.getSession");
    });
    await logsSettled(pds);
    expect(out.did).toBe(reg.user.did);
    expect(serverCount(pds, "POST", REFRESH) - refreshes).toBe(1);
    expect(serverCount(pds, "GET", "com.atproto.server.getSession") - gets).toBe(2);
    await page.context().close();
  }, 30_000);

  test("typed errors keep the server's error name: 409 AccountExists (ConflictError), revoked key 401 Unauthorized (AuthenticationError)", async () => {
    const page = await openPage(browser, site.origin);
    const input = account();
    await registerInPage(page, input);
    const admin = await login(pds);
    const revoked = await createKey(pds, admin, { name: "sdk-revoked", allowedOrigins: [site.origin] });
    await ok(call(pds.url, "net.openfederation.partner.revokeKey", { token: admin, body: { id: revoked.id } }));
    const before = await snapshot(pds, admin);
    const errors = await page.evaluate(
      async ({ serverUrl, partnerKey, revokedKey, input, fresh }) => {
        const OF = (window as unknown as { OpenFederation: Sdk }).OpenFederation;
        const attempt = async (key: string, body: typeof input) => {
          const c = OF.createClient({ serverUrl, partnerKey: key, storage: "memory" });
          try {
            await c.register(body);
            return null;
          } catch (e) {
            const x = e as ErrorShape;
            return { name: x.name, status: x.status, error: x.error, message: x.message, typed: e instanceof OF.OpenFederationError };
          }
        };
        return [await attempt(partnerKey, input), await attempt(revokedKey, fresh)];
      },
      { serverUrl: pds.url, partnerKey, revokedKey: revoked.key, input, fresh: account() },
    );
    expect(errors[0]).toMatchObject({ name: "ConflictError", status: 409, error: "AccountExists", typed: true });
    expect(errors[1]).toEqual({ name: "AuthenticationError", status: 401, error: "Unauthorized", message: "Partner key has been revoked", typed: true });
    expect(await snapshot(pds, admin)).toEqual(before);
    await page.context().close();
  }, 30_000);
});
