// GET /sdk/v1.js on the real server (sources or OFPDS_BIN): the embedded IIFE byte for byte, the documented headers, 304s.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { buildSdk } from "../../sdk/build.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";

let pds: RunningPds;
let iife: string;

beforeAll(async () => {
  [pds, { iife }] = await Promise.all([startPds(), buildSdk()]);
}, 60_000);
afterAll(async () => {
  await pds?.stop();
});

const get = (headers: Record<string, string> = {}) => fetch(`${pds.url}/sdk/v1.js`, { headers });

describe("/sdk/v1.js", () => {
  test("serves the built IIFE with text/javascript, public max-age=300, a sha256 ETag and CORS *", async () => {
    const res = await get({ Origin: "https://anywhere.example" });
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toBe(iife);
    expect({
      type: res.headers.get("content-type"),
      cache: res.headers.get("cache-control"),
      etag: res.headers.get("etag"),
      cors: res.headers.get("access-control-allow-origin"),
      credentials: res.headers.get("access-control-allow-credentials"),
    }).toEqual({
      type: "text/javascript; charset=utf-8",
      cache: "public, max-age=300",
      etag: `"${createHash("sha256").update(iife).digest("base64url")}"`,
      cors: "*",
      credentials: null,
    });
  });

  test("If-None-Match: exact, weak, in a list, or * → 304 with the ETag and no body; another tag → 200", async () => {
    const etag = (await get()).headers.get("etag")!;
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const res = await get({ "If-None-Match": inm });
      expect({ inm, status: res.status, etag: res.headers.get("etag"), cache: res.headers.get("cache-control"), body: await res.text() })
        .toEqual({ inm, status: 304, etag, cache: "public, max-age=300", body: "" });
    }
    for (const inm of [`"other"`, etag.slice(0, -2) + `"`, `W/"x"`]) {
      const res = await get({ "If-None-Match": inm });
      expect({ inm, status: res.status, length: (await res.text()).length }).toEqual({ inm, status: 200, length: iife.length });
    }
  });
});
