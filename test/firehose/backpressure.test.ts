// Backpressure and limits (spec 03 §7, 06 §11): a consumer that stops reading gets ConsumerTooSlow; the 11th socket from one IP is refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { request } from "node:http";
import type { RunningPds } from "../_support/pds.ts";
import { REPO, waitFor } from "../_support/process.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";
import { FirehoseClient, firehoseUrl } from "./_client.ts";
import { adminToken, registerApproved, startFirehosePds, type User } from "./_support.ts";

/** A consumer in its own process, so the test can freeze it (SIGSTOP) and the kernel buffers fill up. */
const CONSUMER = `
import { decodeFrame } from "${REPO}test/firehose/_client.ts";
const ws = new WebSocket(process.argv[1]);
ws.binaryType = "arraybuffer";
let frames = 0, last;
ws.onopen = () => console.log("open");
ws.onmessage = (e) => { frames++; last = decodeFrame(new Uint8Array(e.data)); };
ws.onclose = (e) => { console.log(JSON.stringify({ frames, last: last && { op: last.op, body: last.op === -1 ? last.body : undefined }, code: e.code })); process.exit(0); };
`;

async function bigWrite(url: string, user: User, i: number) {
  // unknown collection, no lexicon: ~200 KB of payload per commit
  return ok(xrpc(url, "com.atproto.repo.createRecord", { token: user.token, body: { repo: user.did, collection: "com.example.firehose.big", rkey: `big${i}`, record: { data: `${i}`.padEnd(200_000, "x") } } }));
}

describe("a consumer that never reads", () => {
  let pds: RunningPds;
  beforeAll(async () => {
    pds = await startFirehosePds({ FIREHOSE_MAX_BUFFER: "10", LOG_LEVEL: "info" });
  });
  afterAll(() => pds?.stop());

  test("is disconnected with ConsumerTooSlow; the server stays healthy and serves others", async () => {
    const admin = await adminToken(pds.url);
    const alice = await registerApproved(pds.url, admin, "alice");
    const child = Bun.spawn([process.execPath, "-e", CONSUMER, firehoseUrl(pds.url)], { stdout: "pipe", stderr: "inherit" });
    const reader = (child.stdout as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("open");
    child.kill("SIGSTOP");
    try {
      let i = 0;
      while (!pds.logs().includes("ConsumerTooSlow")) {
        expect(i).toBeLessThan(200); // ~40 MB: far beyond kernel buffers + 1 MiB + 10 queued frames
        await bigWrite(pds.url, alice, i++);
      }
    } finally {
      child.kill("SIGCONT");
    }
    let out = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    const result = JSON.parse(out.trim().split("\n").at(-1)!);
    expect(result.last).toEqual({ op: -1, body: { error: "ConsumerTooSlow", message: "Stream consumer too slow" } });
    expect(result.code).toBe(1008);
    // healthy: health is 200, and a new subscriber gets live events
    expect((await fetch(`${pds.url}/xrpc/_health`)).status).toBe(200);
    const fresh = new FirehoseClient(pds.url);
    await fresh.opened;
    await bigWrite(pds.url, alice, 999);
    await fresh.until((f) => f.some((x) => x.t === "#commit" && x.body.ops[0].path.endsWith("big999")));
    fresh.close();
  }, 90_000);
});

/** Raw upgrade request: the status code the server answers (101 when upgraded). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/xrpc/com.atproto.sync.subscribeRepos`, {
      headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13" },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 101);
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("per-IP subscription cap", () => {
  let pds: RunningPds;
  afterAll(() => pds?.stop());

  test("10 sockets from one IP are fine, the 11th is refused with 429, closing one frees a slot", async () => {
    pds = await startFirehosePds({ RATE_LIMITS_ENABLED: "true", RATE_LIMIT_EXEMPT_CIDRS: "192.0.2.1/32" });
    const clients = Array.from({ length: 10 }, () => new FirehoseClient(pds.url));
    await Promise.all(clients.map((c) => c.opened));
    expect(await upgradeStatus(pds.url)).toBe(429);
    clients[0]!.close();
    await clients[0]!.closed;
    await waitFor(async () => (await upgradeStatus(pds.url)) === 101, 5_000, "a freed slot");
    for (const c of clients) c.close();
  }, 30_000);
});
