// Test support for blob and sync scenarios: a dev PDS with an admin, approved users, raw uploads and a side DB connection.
import type { Database, Raw } from "../../src/db/database.ts";
import { openTestDatabase } from "../_support/db.ts";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { create as createDigest } from "multiformats/hashes/digest";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";

export const ADMIN = { BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: "Admin-password-123", RATE_LIMITS_ENABLED: "false" };

export interface BlobPds {
  pds: RunningPds;
  admin: string;
  /** invite → register → (approve) → login */
  user(name: string, opts?: { approve?: boolean }): Promise<{ did: string; token: string }>;
  /** a second connection to the live database, on the engine under test (status changes, backdating, row counts) */
  sql<T>(fn: (db: Raw) => Promise<T>): Promise<T>;
  stop(): Promise<number>;
}

export async function startBlobPds(env: Record<string, string> = {}): Promise<BlobPds> {
  const pds = await startPds({ ...ADMIN, ...env });
  let side: Promise<Database> | undefined;
  const admin = (await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: "admin", password: ADMIN.BOOTSTRAP_ADMIN_PASSWORD } }))).accessJwt as string;
  return {
    pds,
    admin,
    async user(name, opts = {}) {
      const invite = await ok(xrpc(pds.url, "net.openfederation.invite.create", { token: admin, body: { maxUses: 1 } }));
      const password = `Pw-${name}-2026-long`;
      const reg = await ok(xrpc(pds.url, "net.openfederation.account.register", { body: { handle: name, email: `${name}@example.org`, password, inviteCode: invite.code } }));
      if (opts.approve === false) return { did: reg.did, token: "" };
      await ok(xrpc(pds.url, "net.openfederation.account.approve", { token: admin, body: { did: reg.did } }));
      const session = await ok(xrpc(pds.url, "com.atproto.server.createSession", { body: { identifier: name, password } }));
      return { did: reg.did, token: session.accessJwt };
    },
    async sql(fn) {
      side ??= openTestDatabase(pds.dataDir);
      return fn((await side).raw);
    },
    async stop() {
      if (side) await (await side).close();
      return pds.stop();
    },
  };
}

/** POST raw bytes to uploadBlob. `body` may be a stream (sent chunked, without Content-Length). */
export async function upload(url: string, token: string | undefined, body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>, contentType = "application/octet-stream") {
  const res = await fetch(`${url}/xrpc/com.atproto.repo.uploadBlob`, {
    method: "POST",
    headers: { "content-type": contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export function rawCid(bytes: Uint8Array): string {
  return CID.createV1(raw.code, createDigest(0x12, new Bun.CryptoHasher("sha256").update(bytes).digest() as Uint8Array)).toString();
}

export function randomBytes(n: number, prefix: number[] | string = []): Uint8Array<ArrayBuffer> {
  const p = typeof prefix === "string" ? new TextEncoder().encode(prefix) : Uint8Array.from(prefix);
  const out = new Uint8Array(Math.max(n, p.length));
  crypto.getRandomValues(out.subarray(p.length, Math.min(out.length, p.length + 65536)));
  for (let i = p.length + 65536; i < out.length; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(out.length, i + 65536)));
  out.set(p, 0);
  return out;
}

export const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
export const JPEG_MAGIC = [0xff, 0xd8, 0xff, 0xe0];

export async function waitUntil(pred: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await pred())) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await Bun.sleep(50);
  }
}
