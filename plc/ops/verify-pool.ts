// Optional worker pool for secp256k1 verification: the server spreads the ECDSA maths (about 75% of
// a genesis POST) over the other cores while the main thread keeps serving HTTP and SQLite.
import { secp256k1 } from "@noble/curves/secp256k1";
import { availableParallelism } from "node:os";

interface Job {
  resolve: (ok: boolean) => void;
  publicKey: Uint8Array;
  hash: Uint8Array;
  sig: Uint8Array;
}

function verifyInline(publicKey: Uint8Array, hash: Uint8Array, sig: Uint8Array): boolean {
  try {
    return secp256k1.verify(sig, hash, publicKey, { lowS: true, prehash: false, format: "compact" });
  } catch {
    return false;
  }
}

/** The worker's path from the repo root; scripts/build.ts adds it as an entrypoint of the binary. */
export const VERIFY_WORKER_ENTRY = "plc/ops/verify-worker.ts";

/**
 * Inside a compiled binary import.meta.url names the executable, and each entrypoint sits at its
 * path below the entrypoints' common root (the repo root), so the worker has a fixed bunfs path.
 */
function workerSpecifier(): string {
  if (Bun.main.startsWith("/$bunfs/")) return `/$bunfs/root/${VERIFY_WORKER_ENTRY}`;
  return new URL("./verify-worker.ts", import.meta.url).href;
}

let workers: Worker[] = [];
let users = 0;
let onUnavailable: ((reason: string) => void) | undefined;
let broken = false;
let nextId = 1;
let rr = 0;
const pending = new Map<number, Job>();

/** A server that wants off-thread verification holds a reference; workers stop with the last one. */
export function acquireVerifyPool(opts: { onUnavailable?: (reason: string) => void } = {}): void {
  onUnavailable ??= opts.onUnavailable;
  users++;
  if (workers.length > 0 || broken) return;
  const size = Math.max(1, Math.min(4, availableParallelism() - 1));
  try {
    for (let i = 0; i < size; i++) {
      const w = new Worker(workerSpecifier());
      w.onmessage = (e: MessageEvent<{ id: number; ok: boolean }>) => {
        const job = pending.get(e.data.id);
        if (!job) return;
        pending.delete(e.data.id);
        job.resolve(e.data.ok);
      };
      // If workers cannot run (e.g. a compiled binary built without the worker entrypoint), fall
      // back to inline verification for everything, including jobs already queued.
      w.onerror = (e) => failOver((e as ErrorEvent).message);
      (w as Worker & { unref?: () => void }).unref?.();
      workers.push(w);
    }
  } catch (err) {
    failOver((err as Error).message);
  }
}

export function releaseVerifyPool(): void {
  users = Math.max(0, users - 1);
  if (users > 0) return;
  for (const w of workers) w.terminate();
  workers = [];
  drainInline();
}

function failOver(reason: string): void {
  if (!broken) onUnavailable?.(reason);
  broken = true;
  for (const w of workers) w.terminate();
  workers = [];
  drainInline();
}

function drainInline(): void {
  for (const [id, job] of pending) {
    pending.delete(id);
    job.resolve(verifyInline(job.publicKey, job.hash, job.sig));
  }
}

/** Verify on a worker when the pool is running, inline otherwise. */
export function verifySecp256k1(publicKey: Uint8Array, hash: Uint8Array, sig: Uint8Array): Promise<boolean> | boolean {
  if (workers.length === 0) return verifyInline(publicKey, hash, sig);
  const id = nextId++;
  const worker = workers[rr++ % workers.length]!;
  return new Promise<boolean>((resolve) => {
    pending.set(id, { resolve, publicKey, hash, sig });
    worker.postMessage({ id, publicKey, hash, sig });
  });
}
