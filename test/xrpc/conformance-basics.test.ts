// Spec 10 §8 conformance against a real server: empty query values are absent, /robots.txt, `?cursor=` on the firehose.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";

let pds: RunningPds;
let did: string;
let adminToken: string;
beforeAll(async () => {
  pds = await startPds();
  const admin = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: /^password: (.+)$/m.exec(await Bun.file(`${pds.dataDir}/dev-admin.txt`).text())![1] } }));
  did = admin.did;
  adminToken = admin.accessJwt;
});
afterAll(async () => {
  await pds?.stop();
});

test("`?cursor=&limit=` is treated as absent on listRecords and listRepos (200, defaults)", async () => {
  const records = await fetch(`${pds.url}/xrpc/com.atproto.repo.listRecords?repo=${did}&collection=app.bsky.feed.post&cursor=&limit=`);
  expect(records.status).toBe(200);
  expect(await records.json()).toEqual({ records: [] });
  const repos = await fetch(`${pds.url}/xrpc/com.atproto.sync.listRepos?cursor=&limit=`);
  expect(repos.status).toBe(200);
  const body = (await repos.json()) as { repos: { did: string }[] };
  expect(body.repos.map((r) => r.did)).toContain(did);
  // a non-empty bad value is still refused
  const bad = await fetch(`${pds.url}/xrpc/com.atproto.sync.listRepos?limit=abc`);
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: string }).error).toBe("InvalidRequest");
});

test("GET /robots.txt → 200 text/plain allowing everything", async () => {
  const res = await fetch(`${pds.url}/robots.txt`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("text/plain");
  expect(await res.text()).toBe("User-agent: *\nAllow: /");
});

test("subscribeRepos?cursor= opens the stream like no cursor (the stock consumer's first request)", async () => {
  const ws = new WebSocket(`${pds.url.replace("http", "ws")}/xrpc/com.atproto.sync.subscribeRepos?cursor=`);
  const outcome = await new Promise<string>((resolve) => {
    ws.onopen = () => resolve("open");
    ws.onerror = () => resolve("error");
    ws.onclose = (e) => resolve(`closed ${e.code}`);
  });
  ws.close();
  expect(outcome).toBe("open");
});

test("datetime params follow the AT Protocol syntax: `since=1985-04-12T23:20:5Z` → 400 InvalidRequest naming the field, never 500", async () => {
  for (const since of ["1985-04-12T23:20:5Z", "1985-04-12 23:20:50Z", "1985-04-12T23:20:50", "1985-04-12T23:20:50-00:00", "1985-02-30T23:20:50Z"]) {
    const res = await xrpc(pds.url, "net.openfederation.audit.list", { token: adminToken, params: { since } });
    expect({ since, status: res.status, error: res.body?.error }).toEqual({ since, status: 400, error: "InvalidRequest" });
    expect(res.body.message).toContain("since");
  }
  const good = await xrpc(pds.url, "net.openfederation.audit.list", { token: adminToken, params: { since: "1985-04-12T23:20:50.123Z" } });
  expect(good.status).toBe(200);
});
