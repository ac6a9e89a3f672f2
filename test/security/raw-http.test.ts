// Raw TCP requests a library client cannot send: bad or missing Host → 400; a truncated body → 400 or a quiet close, no stack in the log.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { openTestDatabase } from "../_support/db.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";

let pds: RunningPds;
beforeAll(async () => {
  // a short idle timeout so the stalled-body case below closes quickly
  pds = await startPds({ HTTP_IDLE_TIMEOUT: "2" });
});
afterAll(async () => {
  await pds?.stop();
});

/** Sends `raw` on a fresh connection (optionally closing the write side right after) and returns all bytes received until the server closes or `waitMs` passes. */
async function rawRequest(raw: string, opts: { endAfterWrite?: boolean; waitMs?: number } = {}): Promise<string> {
  let out = "";
  let done!: () => void;
  const closed = new Promise<void>((r) => (done = r));
  const sock = await Bun.connect({
    hostname: "127.0.0.1",
    port: pds.port,
    socket: { data(_s, d) { out += new TextDecoder().decode(d); if (/\r\n\r\n/.test(out) && !opts.endAfterWrite) done(); }, close() { done(); }, error() { done(); } },
  });
  sock.write(raw);
  if (opts.endAfterWrite) sock.end();
  const timer = setTimeout(done, opts.waitMs ?? 5_000);
  await closed;
  clearTimeout(timer);
  sock.end();
  return out;
}
const statusOf = (res: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(res)?.[1] ?? 0);

for (const [name, raw] of [
  ["empty Host", "GET /xrpc/com.atproto.server.describeServer HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n"],
  ["Host a@b", "GET /xrpc/com.atproto.server.describeServer HTTP/1.1\r\nHost: a@b\r\nConnection: close\r\n\r\n"],
  ["HTTP/1.0 without Host", "GET /xrpc/com.atproto.server.describeServer HTTP/1.0\r\n\r\n"],
] as const) {
  test(`${name} → 400`, async () => {
    const res = await rawRequest(raw);
    expect(statusOf(res)).toBe(400);
    expect(res).toContain('"error":"InvalidRequest"');
  });
}

test.each(["127.0.0.1:PORT", "localhost", "[::1]:PORT", "ofpds_pds:8080"])("a valid Host (%s) is still served (control)", async (host) => {
  const res = await rawRequest(`GET /xrpc/com.atproto.server.describeServer HTTP/1.1\r\nHost: ${host.replace("PORT", String(pds.port))}\r\nConnection: close\r\n\r\n`);
  expect(statusOf(res)).toBe(200);
});

test("Content-Length larger than the body, then close → 400 or a quiet close; logged without a stack trace", async () => {
  const body = '{"identifier":"nobody","pass';
  const res = await rawRequest(`POST /xrpc/com.atproto.server.createSession HTTP/1.1\r\nHost: 127.0.0.1:${pds.port}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n${body}`, { endAfterWrite: true });
  const status = statusOf(res);
  expect(status === 0 || status === 400).toBe(true);
  // the server is still answering
  expect((await fetch(`${pds.url}/xrpc/_health`)).status).toBe(200);
  expect(pds.logs()).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(pds.logs()).not.toContain('"stack"');
});

test("a stalled body (Content-Length 500, 20 bytes sent, the socket left open) → closed by the idle timeout; nothing written, no stack", async () => {
  const sessions = async () => {
    const db = await openTestDatabase(pds.dataDir);
    try {
      return (await db.raw.get<{ n: number }>("SELECT COUNT(*) AS n FROM sessions"))!.n;
    } finally {
      await db.close();
    }
  };
  const before = await sessions();
  const logStart = pds.logs().length;
  // waitMs far above HTTP_IDLE_TIMEOUT (2 s): the server, not our timer, must end the connection
  let closedByServer = false;
  const res = await new Promise<string>(async (resolve) => {
    let out = "";
    const guard = setTimeout(() => resolve(out), 30_000);
    await Bun.connect({
      hostname: "127.0.0.1",
      port: pds.port,
      socket: {
        open(s) { s.write(`POST /xrpc/com.atproto.server.createSession HTTP/1.1\r\nHost: 127.0.0.1:${pds.port}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"identifier":"nob`); },
        data(_s, d) { out += new TextDecoder().decode(d); },
        close() { closedByServer = true; clearTimeout(guard); resolve(out); },
        error() { closedByServer = true; clearTimeout(guard); resolve(out); },
      },
    });
  });
  expect(closedByServer).toBe(true);
  expect([0, 400, 408]).toContain(statusOf(res));
  expect(await sessions()).toBe(before);
  expect((await fetch(`${pds.url}/xrpc/_health`)).status).toBe(200);
  const logs = pds.logs().slice(logStart);
  expect(logs).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(logs).not.toContain('"stack"');
}, 40_000);
