// Benchmark helpers: spawn the compiled binary, read RSS, run bounded concurrent loops, print figures.
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join } from "node:path";

export const REPO = new URL("../", import.meta.url).pathname;
export const BIN = process.env.OFPDS_BIN ?? join(REPO, "dist/ofpds");

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function waitHealthy(url: string, timeoutMs = 20_000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    try {
      if ((await fetch(url)).ok) return performance.now() - start;
    } catch {
      // not listening yet
    }
    await Bun.sleep(2);
  }
  throw new Error(`${url} did not become healthy`);
}

/** Runs `total` tasks with `concurrency` workers; returns elapsed ms. Bounded by count, so it always stops. */
export async function runConcurrent(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
  return performance.now() - start;
}

export function figure(name: string, value: number, unit: string, note = ""): void {
  const v = value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1);
  console.log(`${name.padEnd(44)} ${v.padStart(10)} ${unit}${note ? `  (${note})` : ""}`);
}

export function header(title: string): void {
  console.log(`\n## ${title}  [${cpus().length} cores, ${cpus()[0]?.model ?? "cpu"}]`);
}

/** One XRPC call that must succeed (POST when a body is given). */
export async function xrpcCall(url: string, nsid: string, token?: string, body?: unknown, params?: Record<string, string>): Promise<any> {
  const qs = params ? `?${new URLSearchParams(params)}` : "";
  const res = await fetch(`${url}/xrpc/${nsid}${qs}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`${nsid} → ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

const BENCH_PASSWORD = "Bench-password-2026";

/** Starts the compiled binary (`serve --dev`, rate limits off, a bootstrap admin) and waits until healthy. */
export async function startBenchPds(label: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const proc = Bun.spawn([BIN, "serve", "--dev", "--port", String(port), "--data-dir", tempDir(`ofpds-bench-${label}-`)], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      PLC_PORT: String(await freePort()),
      RATE_LIMITS_ENABLED: "false",
      BOOTSTRAP_ADMIN_EMAIL: "admin@example.org",
      BOOTSTRAP_ADMIN_HANDLE: "admin",
      BOOTSTRAP_ADMIN_PASSWORD: BENCH_PASSWORD,
      ...env,
    },
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/xrpc/_health`);
  return {
    url,
    proc,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

/** Registers and approves the user `bench` through the real methods; returns its DID and access token. */
export async function benchUser(url: string): Promise<{ did: string; accessJwt: string }> {
  const admin = await xrpcCall(url, "com.atproto.server.createSession", undefined, { identifier: "admin", password: BENCH_PASSWORD });
  const invite = await xrpcCall(url, "net.openfederation.invite.create", admin.accessJwt, { maxUses: 1 });
  const reg = await xrpcCall(url, "net.openfederation.account.register", undefined, { handle: "bench", email: "bench@example.org", password: BENCH_PASSWORD, inviteCode: invite.code });
  await xrpcCall(url, "net.openfederation.account.approve", admin.accessJwt, { did: reg.did });
  const { accessJwt } = await xrpcCall(url, "com.atproto.server.createSession", undefined, { identifier: "bench", password: BENCH_PASSWORD });
  return { did: reg.did, accessJwt };
}
