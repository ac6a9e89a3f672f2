// Shared helpers for the did:plc suites: fresh servers on loopback, keys, signed ops, HTTP shortcuts.
import { expect } from "bun:test";
import { P256Keypair, Secp256k1Keypair, type Keypair } from "@atproto/crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPlcServer, type PlcServer, type PlcServerOptions } from "../../plc/index.ts";
import { cidForOp, didForGenesis, encodeCbor } from "../../plc/ops/encoding.ts";

export interface TestPlc {
  server: PlcServer;
  url: string;
  dir: string;
  dbPath: string;
  close(): Promise<void>;
}

export function tempDbPath(): { dir: string; dbPath: string } {
  const dir = mkdtempSync(join(tmpdir(), "ofpds-plc-test-"));
  return { dir, dbPath: join(dir, "plc.sqlite") };
}

export async function startTestPlc(overrides: Partial<PlcServerOptions> = {}): Promise<TestPlc> {
  const { dir, dbPath } = tempDbPath();
  const server = await startPlcServer({
    port: 0,
    host: "127.0.0.1",
    dbPath,
    rateLimitsEnabled: true,
    trustProxy: 0,
    dev: true, // loopback exempt from per-IP limits unless a suite turns this off
    version: "0.0.0-test",
    ...overrides,
  });
  return {
    server,
    url: server.url,
    dir,
    dbPath,
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Op = Record<string, unknown> & { sig: string };

export const k256 = () => Secp256k1Keypair.create();
export const p256 = () => P256Keypair.create();

let counter = 0;
export const uniq = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export async function sign(unsigned: Record<string, unknown>, key: Keypair): Promise<Op> {
  const sig = Buffer.from(await key.sign(encodeCbor(unsigned))).toString("base64url");
  return { ...unsigned, sig };
}

export interface OpFields {
  rotationKeys?: string[];
  verificationMethods?: Record<string, string>;
  alsoKnownAs?: string[];
  services?: Record<string, { type: string; endpoint: string }>;
}

export function unsignedOp(prev: string | null, fields: OpFields & { rotationKeys: string[] }): Record<string, unknown> {
  return {
    type: "plc_operation",
    rotationKeys: fields.rotationKeys,
    verificationMethods: fields.verificationMethods ?? {},
    alsoKnownAs: fields.alsoKnownAs ?? [`at://${uniq()}.test`],
    services: fields.services ?? { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: "https://pds.test" } },
    prev,
  };
}

/** A signed genesis op and the DID it derives. */
export async function genesis(signer: Keypair, fields: OpFields = {}) {
  const op = await sign(unsignedOp(null, { rotationKeys: [signer.did()], ...fields }), signer);
  return { op, did: didForGenesis(op), cid: cidForOp(op) };
}

export async function update(prev: string, signer: Keypair, fields: OpFields & { rotationKeys: string[] }) {
  const op = await sign(unsignedOp(prev, fields), signer);
  return { op, cid: cidForOp(op) };
}

export async function tombstone(prev: string, signer: Keypair) {
  const op = await sign({ type: "plc_tombstone", prev }, signer);
  return { op, cid: cidForOp(op) };
}

export interface Reply {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, text, headers: res.headers };
}

export async function post(url: string, did: string, op: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const body = typeof op === "string" ? op : JSON.stringify(op);
  return reply(await fetch(`${url}/${did}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } }));
}

export async function get(url: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return reply(await fetch(url + path, { headers }));
}

/** Audit log as text (404 text when the DID is unknown): used to prove a rejected POST wrote nothing. */
export async function auditText(url: string, did: string): Promise<string> {
  const r = await get(url, `/${did}/log/audit`);
  return `${r.status} ${r.text}`;
}

export async function mustPost(url: string, did: string, op: unknown): Promise<void> {
  const r = await post(url, did, op);
  if (r.status !== 200) throw new Error(`POST ${did} -> ${r.status} ${r.text}`);
}

/** POST and assert status + message, and that the DID's audit log did not change (nothing written). */
export async function expectRejected(url: string, did: string, body: unknown, status: number, message: string | RegExp): Promise<Reply> {
  const before = await auditText(url, did);
  const r = await post(url, did, body);
  expect(r.status).toBe(status);
  if (typeof message === "string") expect(r.body).toEqual({ message });
  else expect(r.body.message).toMatch(message);
  expect(await auditText(url, did)).toBe(before);
  return r;
}
