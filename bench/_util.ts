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
