// Test support for the partner API suites: an admin session, key creation, registrations and "nothing changed" snapshots.
import { expect } from "bun:test";
import { call, ok } from "../_support/xrpc.ts";
import type { RunningPds } from "../_support/pds.ts";

export const ADMIN = { BOOTSTRAP_ADMIN_EMAIL: "admin@example.org", BOOTSTRAP_ADMIN_HANDLE: "admin", BOOTSTRAP_ADMIN_PASSWORD: "Admin-password-123" };
/** Loopback is exempt from the IP limiters in --dev; naming only a documentation address makes test requests count. */
export const COUNTED = { RATE_LIMIT_EXEMPT_CIDRS: "192.0.2.1/32", GLOBAL_RATE_LIMIT: "100000", AUTH_RATE_LIMIT: "1000" };
export const ORIGIN = "https://game.example.com";

export async function login(pds: RunningPds, identifier = "admin", password = ADMIN.BOOTSTRAP_ADMIN_PASSWORD): Promise<string> {
  return (await ok(call(pds.url, "com.atproto.server.createSession", { body: { identifier, password } }))).accessJwt;
}

export async function createKey(pds: RunningPds, token: string, body: Record<string, unknown> = {}) {
  return ok(call(pds.url, "net.openfederation.partner.createKey", { token, body: { name: "web", partnerName: "Game Co", allowedOrigins: [ORIGIN], ...body } }));
}

let n = 0;
export const nextName = (prefix = "p") => `${prefix}${Date.now().toString(36)}${(n++).toString(36)}`;

export function register(pds: RunningPds, key: string | undefined, opts: { origin?: string; name?: string; body?: Record<string, unknown> } = {}) {
  const name = opts.name ?? nextName();
  return call(pds.url, "net.openfederation.partner.register", {
    body: { handle: name, email: `${name}@example.org`, password: `Pw-${name}-2026-long`, ...opts.body },
    headers: { ...(key !== undefined ? { "X-Partner-Key": key } : {}), ...(opts.origin ? { Origin: opts.origin } : {}) },
  });
}

/** What a refused registration must leave unchanged: accounts, partner audit rows, every key's counters. */
export async function snapshot(pds: RunningPds, admin: string) {
  const accounts = await ok(call(pds.url, "net.openfederation.account.list", { token: admin, params: { limit: 1 } }));
  const audit = await ok(call(pds.url, "net.openfederation.audit.list", { token: admin, params: { action: "partner.*", limit: 1 } }));
  const registers = await ok(call(pds.url, "net.openfederation.audit.list", { token: admin, params: { action: "account.register", limit: 1 } }));
  const keys = await ok(call(pds.url, "net.openfederation.partner.listKeys", { token: admin, params: { limit: 100 } }));
  return {
    accounts: accounts.total,
    partnerAudit: audit.total,
    accountAudit: registers.total,
    keys: keys.keys.map((k: Record<string, unknown>) => [k.id, k.status, k.totalRegistrations, k.lastUsedAt ?? null]),
  };
}

export function expectError(r: { status: number; body: any }, status: number, error: string, message?: RegExp) {
  expect({ status: r.status, error: r.body?.error }).toEqual({ status, error });
  if (message) expect(r.body.message).toMatch(message);
}
