// The XRPC request pipeline over real HTTP: lookup, verbs, bodies, validation, errors, headers, health, logs.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorBody, startApp, type TestApp } from "./_app.ts";
import { waitFor } from "../_support/process.ts";
import { fixtureLexicons, fixtureRoutes, SECRET_TEXT } from "./fixtures/routes.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ routes: fixtureRoutes, lexicons: fixtureLexicons });
});
afterAll(() => app.stop());

const post = (path: string, body: string | ReadableStream, headers: Record<string, string> = { "Content-Type": "application/json" }) =>
  fetch(app.url + path, { method: "POST", body, headers });

type ErrorCase = {
  name: string;
  req: () => Promise<Response>;
  status: number;
  error: string;
  message?: RegExp;
  headers?: Record<string, string>;
};

const errorCases: ErrorCase[] = [
  { name: "unknown NSID", req: () => fetch(app.url + "/xrpc/net.openfederation.nope.nothing"), status: 404, error: "MethodNotFound" },
  { name: "unknown NSID via POST", req: () => post("/xrpc/com.atproto.nope.nothing", "{}"), status: 404, error: "MethodNotFound" },
  { name: "nested path under /xrpc", req: () => fetch(app.url + "/xrpc/a/b"), status: 404, error: "MethodNotFound" },
  { name: "unknown non-XRPC path", req: () => fetch(app.url + "/nope"), status: 404, error: "NotFound" },
  {
    name: "GET on a procedure",
    req: () => fetch(app.url + "/xrpc/net.openfederation.test.echo"),
    status: 400,
    error: "InvalidRequest",
    message: /^Incorrect HTTP method \(GET\) expected POST$/,
    headers: { allow: "POST" },
  },
  {
    name: "POST on a query",
    req: () => post("/xrpc/com.atproto.server.describeServer", "{}"),
    status: 400,
    error: "InvalidRequest",
    message: /^Incorrect HTTP method \(POST\) expected GET$/,
    headers: { allow: "GET" },
  },
  {
    name: "text/plain body",
    req: () => post("/xrpc/net.openfederation.test.echo", '{"text":"hi"}', { "Content-Type": "text/plain" }),
    status: 400,
    error: "InvalidRequest",
    message: /Content-Type/,
  },
  {
    name: "missing content type",
    req: () => fetch(app.url + "/xrpc/net.openfederation.test.echo", { method: "POST", body: new Uint8Array([123, 125]) }),
    status: 400,
    error: "InvalidRequest",
  },
  { name: "broken JSON", req: () => post("/xrpc/net.openfederation.test.echo", '{"text": "hi"'), status: 400, error: "InvalidRequest", message: /not valid JSON/ },
  { name: "empty JSON body", req: () => post("/xrpc/net.openfederation.test.echo", ""), status: 400, error: "InvalidRequest" },
  {
    name: "300 kB JSON",
    req: () => post("/xrpc/net.openfederation.test.echo", JSON.stringify({ text: "x".repeat(300_000) })),
    status: 413,
    error: "PayloadTooLarge",
  },
  {
    name: "300 kB JSON streamed without Content-Length",
    req: () => {
      const chunk = new TextEncoder().encode("x".repeat(10_000));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent === 0) c.enqueue(new TextEncoder().encode('{"text":"'));
          if (sent >= 30) {
            c.enqueue(new TextEncoder().encode('"}'));
            c.close();
            return;
          }
          sent++;
          c.enqueue(chunk);
        },
      });
      return post("/xrpc/net.openfederation.test.echo", stream);
    },
    status: 413,
    error: "PayloadTooLarge",
  },
  {
    name: "URL over 8 kB",
    req: () => fetch(app.url + "/xrpc/com.atproto.server.describeServer?x=" + "a".repeat(8200)),
    status: 400,
    error: "InvalidRequest",
    message: /URL too long/,
  },
  {
    name: "undeclared top-level field on net.openfederation",
    req: () => post("/xrpc/net.openfederation.test.echo", JSON.stringify({ text: "hi", sneaky: 1 })),
    status: 400,
    error: "InvalidRequest",
    message: /sneaky/,
  },
  {
    name: "undeclared nested field (ref) on net.openfederation",
    req: () => post("/xrpc/net.openfederation.test.echo", JSON.stringify({ text: "hi", settings: { loud: true, colour: "red" } })),
    status: 400,
    error: "InvalidRequest",
    message: /settings\/colour/,
  },
  {
    name: "undeclared field in an array item",
    req: () => post("/xrpc/net.openfederation.test.echo", JSON.stringify({ text: "hi", tags: [{ name: "a" }, { name: "b", extra: 1 }] })),
    status: 400,
    error: "InvalidRequest",
    message: /tags\/1\/extra/,
  },
  { name: "lexicon type error", req: () => post("/xrpc/net.openfederation.test.echo", JSON.stringify({ text: 5 })), status: 400, error: "InvalidRequest", message: /text/ },
  { name: "missing required field", req: () => post("/xrpc/net.openfederation.test.echo", "{}"), status: 400, error: "InvalidRequest", message: /text/ },
  { name: "integer param not an integer", req: () => fetch(app.url + "/xrpc/net.openfederation.test.list?limit=abc"), status: 400, error: "InvalidRequest", message: /limit/ },
  { name: "integer param below minimum", req: () => fetch(app.url + "/xrpc/net.openfederation.test.list?limit=0"), status: 400, error: "InvalidRequest", message: /limit/ },
  { name: "integer param above maximum", req: () => fetch(app.url + "/xrpc/net.openfederation.test.list?limit=101"), status: 400, error: "InvalidRequest", message: /limit/ },
  { name: "boolean param not true/false", req: () => fetch(app.url + "/xrpc/net.openfederation.test.list?flag=yes"), status: 400, error: "InvalidRequest", message: /flag/ },
  { name: "array item coercion", req: () => fetch(app.url + "/xrpc/net.openfederation.test.list?nums=1&nums=x"), status: 400, error: "InvalidRequest", message: /nums/ },
  { name: "scalar param repeated", req: () => fetch(app.url + "/xrpc/net.openfederation.test.list?limit=1&limit=2"), status: 400, error: "InvalidRequest", message: /limit/ },
  { name: "undeclared param on net.openfederation", req: () => fetch(app.url + "/xrpc/net.openfederation.test.list?bogus=1"), status: 400, error: "InvalidRequest", message: /bogus/ },
  { name: "unexpected handler exception", req: () => fetch(app.url + "/xrpc/net.openfederation.test.boom"), status: 500, error: "InternalServerError", message: /^An internal error occurred$/ },
  { name: "non-conforming output in test mode", req: () => fetch(app.url + "/xrpc/net.openfederation.test.badOutput"), status: 500, error: "InternalServerError" },
];

describe("error responses", () => {
  for (const c of errorCases) {
    test(c.name, async () => {
      const res = await c.req();
      expect(res.status).toBe(c.status);
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const body = await errorBody(res);
      expect(body.keys).toEqual(["error", "message"]);
      expect(typeof body.message).toBe("string");
      expect(body.error).toBe(c.error);
      if (c.message) expect(body.message).toMatch(c.message);
      for (const [k, v] of Object.entries(c.headers ?? {})) expect(res.headers.get(k)).toBe(v);
    });
  }
});

describe("successful calls", () => {
  test("net.openfederation procedure echoes valid input", async () => {
    const res = await post("/xrpc/net.openfederation.test.echo", JSON.stringify({ text: "hi", settings: { loud: true }, tags: [{ name: "a" }] }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.json()).toEqual({ text: "hi" });
  });

  test("Content-Type with charset is accepted", async () => {
    const res = await post("/xrpc/net.openfederation.test.echo", '{"text":"ok"}', { "Content-Type": "application/json; charset=utf-8" });
    expect(res.status).toBe(200);
  });

  test("com.atproto procedure ignores unknown fields; no output → 200 empty body", async () => {
    const res = await post("/xrpc/com.atproto.identity.updateHandle", JSON.stringify({ handle: "alice.pds.test.example", sneaky: 1 }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  test("com.atproto query ignores unknown params", async () => {
    const res = await fetch(app.url + "/xrpc/com.atproto.server.describeServer?unknown=1");
    expect(res.status).toBe(200);
  });

  test.each([
    ["", { limit: 50 }],
    ["?limit=7&flag=true", { limit: 7, flag: true }],
    ["?flag=false", { limit: 50, flag: false }],
    ["?ids=a&ids=b&nums=1&nums=-2", { limit: 50, ids: ["a", "b"], nums: [1, -2] }],
    ["?ids=only", { limit: 50, ids: ["only"] }],
  ])("query params %p are coerced", async (qs, expected) => {
    const res = await fetch(app.url + "/xrpc/net.openfederation.test.list" + qs);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { params: unknown }).params).toEqual(expected);
  });

  test("GET / is a plain-text banner with name, version and docs link", async () => {
    const res = await fetch(app.url + "/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/plain");
    const text = await res.text();
    expect(text).toContain("ofpds 0.0.0-test");
    expect(text).toMatch(/https?:\/\//);
  });
});

describe("unexpected errors", () => {
  test("500 hides the error text; the log has the request id", async () => {
    const res = await fetch(app.url + "/xrpc/net.openfederation.test.boom");
    const id = res.headers.get("x-request-id")!;
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("/var/lib");
    expect(text).not.toContain("at ");
    const logged = app.logs.filter((l) => l.requestId === id);
    expect(logged.some((l) => l.level === "error" && String(l.err).includes(SECRET_TEXT))).toBe(true);
    expect(logged.some((l) => l.msg === "request" && l.status === 500)).toBe(true);
  });
});

describe("request ids and the request log", () => {
  test("one log line per request, path without query string", async () => {
    const res = await fetch(app.url + "/xrpc/com.atproto.server.describeServer?secret=tok123");
    const id = res.headers.get("x-request-id")!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const lines = app.logs.filter((l) => l.msg === "request" && l.requestId === id);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: "GET", path: "/xrpc/com.atproto.server.describeServer", status: 200 });
    expect(typeof lines[0]!.durationMs).toBe("number");
    expect(app.logText()).not.toContain("tok123");
  });

  test.each([
    ["GET", "/"],
    ["GET", "/xrpc/_health"],
    ["OPTIONS", "/xrpc/foo.bar.baz"],
    ["GET", "/nope"],
    ["GET", "/xrpc/net.openfederation.test.boom"],
  ])("%s %s has X-Request-Id and is logged once", async (method, path) => {
    const res = await fetch(app.url + path, { method });
    const id = res.headers.get("x-request-id")!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // some paths log after the response is sent (onAfterResponse): wait for the line, then count
    const lines = () => app.logs.filter((l) => l.msg === "request" && l.requestId === id);
    await waitFor(async () => lines().length > 0, 5_000, "the request log line");
    expect(lines()).toHaveLength(1);
  });
});

describe("output validation in production", () => {
  test("a non-conforming output is logged at error level and sent unchanged", async () => {
    const prod = await startApp({ routes: fixtureRoutes, lexicons: fixtureLexicons, config: { env: "production", dev: false } });
    try {
      const res = await fetch(prod.url + "/xrpc/net.openfederation.test.badOutput");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ n: "not a number" });
      const id = res.headers.get("x-request-id");
      expect(prod.logs.some((l) => l.level === "error" && l.requestId === id && l.nsid === "net.openfederation.test.badOutput")).toBe(true);
    } finally {
      await prod.stop();
    }
  });
});
