// Security headers, CORS, OPTIONS preflight and the health endpoints over real HTTP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startApp, type TestApp } from "./_app.ts";
import { fixtureLexicons, fixtureRoutes } from "./fixtures/routes.ts";

const SECURITY = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "x-xss-protection": "0",
  "referrer-policy": "strict-origin-when-cross-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

const requests: Array<[string, string, string, number]> = [
  // label, method, path, expected status
  ["200", "GET", "/xrpc/com.atproto.server.describeServer", 200],
  ["404", "GET", "/xrpc/x.y.z", 404],
  ["400", "POST", "/xrpc/com.atproto.server.describeServer", 400],
  ["500", "GET", "/xrpc/net.openfederation.test.boom", 500],
  ["204", "OPTIONS", "/xrpc/com.atproto.server.describeServer", 204],
  ["health", "GET", "/xrpc/_health", 200],
  ["banner", "GET", "/", 200],
];

describe("security headers (development/test)", () => {
  let app: TestApp;
  beforeAll(async () => (app = await startApp({ routes: fixtureRoutes, lexicons: fixtureLexicons })));
  afterAll(() => app.stop());

  test.each(requests)("on %s responses", async (_label, method, path, status) => {
    const res = await fetch(app.url + path, { method });
    expect(res.status).toBe(status);
    for (const [k, v] of Object.entries(SECURITY)) expect(res.headers.get(k)).toBe(v);
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });
});

describe("security headers (production)", () => {
  let app: TestApp;
  beforeAll(async () => (app = await startApp({ config: { env: "production", dev: false } })));
  afterAll(() => app.stop());

  test.each([
    ["/xrpc/com.atproto.server.describeServer", 200],
    ["/xrpc/x.y.z", 404],
    ["/xrpc/_health", 200],
  ] as const)("HSTS on %s", async (path, status) => {
    const res = await fetch(app.url + path);
    expect(res.status).toBe(status);
    expect(res.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
  });
});

describe("CORS", () => {
  let app: TestApp;
  beforeAll(async () => (app = await startApp({ config: { corsOrigins: ["https://app.example.org"] } })));
  afterAll(() => app.stop());

  test.each([
    // path, Origin sent, expected ACAO, expected Vary
    ["/xrpc/com.atproto.server.describeServer", "https://evil.example", "*", null],
    ["/xrpc/com.atproto.server.describeServer", null, "*", null],
    ["/xrpc/x.y.z", "https://evil.example", "*", null],
    ["/.well-known/atproto-did", "https://evil.example", "*", null],
    ["/sdk/v1.js", "https://evil.example", "*", null],
    ["/", "https://app.example.org", "https://app.example.org", "Origin"],
    ["/", "https://evil.example", null, "Origin"],
    ["/", null, null, "Origin"],
  ] as const)("%s with Origin %p → ACAO %p", async (path, origin, acao, vary) => {
    const res = await fetch(app.url + path, { headers: origin ? { Origin: origin } : {} });
    expect(res.headers.get("access-control-allow-origin")).toBe(acao);
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    if (vary) expect(res.headers.get("vary")).toContain(vary);
    if (acao) {
      expect(res.headers.get("access-control-expose-headers")).toBe(
        "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, WWW-Authenticate, DPoP-Nonce, atproto-content-labelers, atproto-repo-rev",
      );
    }
  });

  test("OPTIONS preflight → 204 with the allow lists, no auth, no body", async () => {
    const res = await fetch(app.url + "/xrpc/com.atproto.server.createSession", {
      method: "OPTIONS",
      headers: { Origin: "https://elsewhere.example", "Access-Control-Request-Method": "POST" },
    });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST, OPTIONS");
    expect(res.headers.get("access-control-allow-headers")).toBe(
      "Content-Type, Authorization, X-Partner-Key, atproto-accept-labelers, atproto-proxy, x-bsky-topics, DPoP",
    );
    expect(res.headers.get("access-control-max-age")).toBe("600");
  });
});

describe("health", () => {
  let healthy = true;
  let app: TestApp;
  beforeAll(async () => (app = await startApp({ ping: () => healthy })));
  afterAll(() => app.stop());

  test.each(["/xrpc/_health", "/health"])("%s: 200 {version}, 503 when ping fails or shutting down", async (path) => {
    healthy = true;
    app.ctx.lifecycle.shuttingDown = false;
    let res = await fetch(app.url + path);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ version: "0.0.0-test" });

    healthy = false;
    res = await fetch(app.url + path);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ version: "0.0.0-test", error: "Service Unavailable" });

    healthy = true;
    app.ctx.lifecycle.shuttingDown = true;
    res = await fetch(app.url + path);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ version: "0.0.0-test", error: "Service Unavailable" });
    app.ctx.lifecycle.shuttingDown = false;
  });

  test("a ping that throws is unhealthy", async () => {
    const broken = await startApp({
      ping: () => {
        throw new Error("database is locked");
      },
    });
    try {
      const res = await fetch(broken.url + "/xrpc/_health");
      expect(res.status).toBe(503);
      expect(await res.text()).not.toContain("locked");
    } finally {
      await broken.stop();
    }
  });
});
