// PartnerService (spec 06 §7): partner API keys (create, list, revoke); the X-Partner-Key check and partner.register
// live in ./registration.ts and are reached through this façade.
import { randomUUID } from "node:crypto";
import { and, count, desc, eq, lt, or } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { AccountService } from "../account/account-service.ts";
import type { SessionService } from "../account/sessions.ts";
import { decodeCursor, encodeCursor } from "../account/cursor.ts";
import { DomainError, invalidRequest, notFound } from "../errors.ts";
import { hashPartnerKey, keyPrefixOf, newPartnerKey } from "./key-material.ts";
import { normaliseOrigin } from "./origins.ts";
import { parseList, partnerKeys, type PartnerKeyRow } from "./schema.ts";
import { PartnerRegistration, type PartnerCaller, type PartnerRegisterInput, type PartnerRegistered } from "./registration.ts";

export type { PartnerCaller, PartnerRegisterInput, PartnerRegistered } from "./registration.ts";
export const PARTNER_PERMISSIONS = ["register"] as const;
export type PartnerPermission = (typeof PARTNER_PERMISSIONS)[number];

export interface PartnerDeps {
  config: { dev: boolean; partnerApiEnabled: boolean; partnerDefaultRateLimit: number };
  db: Database;
  audit: AuditLog;
  accounts: Pick<AccountService, "create">;
  sessions: Pick<SessionService, "createInTx">;
}

export interface KeyView {
  id: string;
  keyPrefix: string;
  name: string;
  partnerName: string;
  permissions: string[];
  allowedOrigins: string[];
  rateLimitPerHour: number;
  status: "active" | "revoked";
  lastUsedAt?: string;
  totalRegistrations: number;
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
}

export interface CreateKeyInput {
  name: string;
  partnerName: string;
  allowedOrigins: string[];
  rateLimitPerHour?: number;
  permissions?: string[];
}

const alreadyRevoked = () => new DomainError("invalid", "AlreadyRevoked", "Partner key is already revoked");

export class PartnerService {
  private readonly registration: PartnerRegistration;

  constructor(private readonly deps: PartnerDeps, private readonly now: () => number = Date.now) {
    this.registration = new PartnerRegistration(deps, now);
  }

  /** The `partner` guard (registration.ts). */
  authenticate(rawKey: string | null, origin: string | null): Promise<PartnerCaller> {
    return this.registration.authenticate(rawKey, origin);
  }

  /** partner.register (registration.ts). */
  register(caller: PartnerCaller, input: PartnerRegisterInput, ip?: string): Promise<PartnerRegistered> {
    return this.registration.register(caller, input, ip);
  }

  // ---- keys (staff) ---------------------------------------------------------------------------------------

  /** Validates and normalises every origin (400 naming the first bad one); duplicates after normalisation collapse. */
  normaliseOrigins(values: string[]): string[] {
    if (values.length < 1 || values.length > 20) throw invalidRequest("allowedOrigins must list 1 to 20 origins");
    const out: string[] = [];
    for (const v of values) {
      const r = normaliseOrigin(v, this.deps.config.dev);
      if (!r.ok) throw invalidRequest(`Invalid origin ${JSON.stringify(v)}: ${r.problem}`);
      if (!out.includes(r.origin)) out.push(r.origin);
    }
    return out;
  }

  async createKey(actorDid: string, input: CreateKeyInput): Promise<KeyView & { key: string }> {
    const name = input.name.trim();
    const partnerName = input.partnerName.trim();
    if (!name || !partnerName) throw invalidRequest("name and partnerName must not be blank");
    const allowedOrigins = this.normaliseOrigins(input.allowedOrigins);
    const permissions = [...new Set(input.permissions ?? ["register"])];
    if (permissions.some((p) => !(PARTNER_PERMISSIONS as readonly string[]).includes(p))) throw invalidRequest('permissions may only be ["register"]');
    const rateLimitPerHour = input.rateLimitPerHour ?? this.deps.config.partnerDefaultRateLimit;
    if (!Number.isInteger(rateLimitPerHour) || rateLimitPerHour < 1 || rateLimitPerHour > 10_000) throw invalidRequest("rateLimitPerHour must be 1 to 10000");
    const key = newPartnerKey();
    const row: PartnerKeyRow = {
      id: randomUUID(),
      keyHash: hashPartnerKey(key),
      keyPrefix: keyPrefixOf(key),
      name,
      partnerName,
      permissions: JSON.stringify(permissions),
      allowedOrigins: JSON.stringify(allowedOrigins),
      rateLimitPerHour,
      status: "active",
      lastUsedAt: null,
      totalRegistrations: 0,
      createdAt: new Date(this.now()).toISOString(),
      createdBy: actorDid,
      revokedAt: null,
      revokedBy: null,
    };
    await this.deps.db.transaction(async (tx) => {
      await tx.orm.insert(partnerKeys).values(row).run();
      await this.deps.audit.writeInTx(tx, { action: "partner.key.create", actorType: "account", actorDid, targetId: row.id, meta: { name, partnerName, allowedOrigins } });
    });
    return { ...this.view(row), key };
  }

  async list(opts: { status?: "active" | "revoked"; limit: number; cursor?: string }): Promise<{ keys: KeyView[]; cursor?: string; total: number }> {
    const orm = this.deps.db.orm;
    const filter = opts.status ? eq(partnerKeys.status, opts.status) : undefined;
    const total = (await orm.select({ n: count() }).from(partnerKeys).where(filter).get())?.n ?? 0;
    const c = opts.cursor !== undefined ? decodeCursor(opts.cursor) : undefined;
    const after = c ? or(lt(partnerKeys.createdAt, c.t), and(eq(partnerKeys.createdAt, c.t), lt(partnerKeys.id, c.k))) : undefined;
    const rows = await orm.select().from(partnerKeys).where(and(filter, after)).orderBy(desc(partnerKeys.createdAt), desc(partnerKeys.id)).limit(opts.limit + 1).all();
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    return {
      keys: page.map((r) => this.view(r)),
      ...(rows.length > opts.limit && last ? { cursor: encodeCursor(last.createdAt, last.id) } : {}),
      total,
    };
  }

  /**
   * Immediate: the next X-Partner-Key check reads the row and sees `revoked`, and a registration already past
   * that check is refused in its reservation transaction (reserveInTx re-reads the status). Accounts stay.
   */
  async revokeKey(actorDid: string, id: string): Promise<{ id: string; status: "revoked" }> {
    return this.deps.db.transaction(async (tx) => {
      const row = await tx.orm.select().from(partnerKeys).where(eq(partnerKeys.id, id)).get();
      if (!row) throw notFound("No partner key with this id");
      // conditional update inside the serialised write transaction: two concurrent revokes cannot both succeed
      const changed = await tx.orm.update(partnerKeys)
        .set({ status: "revoked", revokedAt: new Date(this.now()).toISOString(), revokedBy: actorDid })
        .where(and(eq(partnerKeys.id, id), eq(partnerKeys.status, "active"))).returning({ id: partnerKeys.id }).get();
      if (!changed) throw alreadyRevoked();
      await this.deps.audit.writeInTx(tx, { action: "partner.key.revoke", actorType: "account", actorDid, targetId: id, meta: { name: row.name, partnerName: row.partnerName } });
      return { id, status: "revoked" as const };
    });
  }

  private view(r: PartnerKeyRow): KeyView {
    return {
      id: r.id,
      keyPrefix: r.keyPrefix,
      name: r.name,
      partnerName: r.partnerName,
      permissions: parseList(r.permissions),
      allowedOrigins: parseList(r.allowedOrigins),
      rateLimitPerHour: r.rateLimitPerHour,
      status: r.status as KeyView["status"],
      ...(r.lastUsedAt ? { lastUsedAt: r.lastUsedAt } : {}),
      totalRegistrations: r.totalRegistrations,
      createdAt: r.createdAt,
      createdBy: r.createdBy,
      ...(r.revokedAt ? { revokedAt: r.revokedAt } : {}),
    };
  }
}
