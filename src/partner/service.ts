// PartnerService (spec 06 §7): partner API keys (create, list, revoke), the X-Partner-Key check, and partner.register.
import { randomUUID } from "node:crypto";
import { and, asc, count, desc, eq, gt, lt, or, sql } from "drizzle-orm";
import type { Database, Orm, Tx } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { AccountService } from "../account/account-service.ts";
import type { SessionService } from "../account/sessions.ts";
import type { PrimaryRotationKey } from "../account/ports.ts";
import { accounts } from "../account/schema.ts";
import { decodeCursor, encodeCursor } from "../account/cursor.ts";
import { DomainError, forbidden, invalidRequest, notFound, unauthorized } from "../errors.ts";
import { hashPartnerKey, KEY_RE, keyPrefixOf, newPartnerKey } from "./key-material.ts";
import { normaliseOrigin } from "./origins.ts";
import { partnerKeys, type PartnerKeyRow } from "./schema.ts";

const HOUR_MS = 3_600_000;
export const PARTNER_PERMISSIONS = ["register"] as const;
export type PartnerPermission = (typeof PARTNER_PERMISSIONS)[number];

export interface PartnerDeps {
  config: { dev: boolean; partnerApiEnabled: boolean; partnerDefaultRateLimit: number };
  db: Database;
  audit: AuditLog;
  accounts: Pick<AccountService, "create">;
  sessions: Pick<SessionService, "createInTx">;
}

/** A request that passed the X-Partner-Key check (key live, permission held, Origin allowed or absent). */
export interface PartnerCaller {
  kind: "partner";
  keyId: string;
  partnerName: string;
  /** the normalised Origin of a browser call; absent for server-to-server calls */
  origin?: string;
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

export interface PartnerRegisterInput {
  handle: string;
  email: string;
  password: string;
  rotationKey?: string;
}

export interface PartnerRegistered {
  did: string;
  handle: string;
  email: string;
  status: "approved";
  accessJwt: string;
  refreshJwt: string;
  active: true;
  primaryRotationKey?: PrimaryRotationKey;
}

const partnerApiDisabled = () => new DomainError("forbidden", "PartnerApiDisabled", "The partner API is disabled on this server");
const revokedKey = () => unauthorized("Partner key has been revoked");
const alreadyRevoked = () => new DomainError("invalid", "AlreadyRevoked", "Partner key is already revoked");
const parseList = (json: string): string[] => JSON.parse(json) as string[];

export class PartnerService {
  constructor(private readonly deps: PartnerDeps, private readonly now: () => number = Date.now) {}

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
    await this.deps.db.transaction((tx) => {
      tx.orm.insert(partnerKeys).values(row).run();
      this.deps.audit.writeInTx(tx, { action: "partner.key.create", actorType: "account", actorDid, targetId: row.id, meta: { name, partnerName, allowedOrigins } });
    });
    return { ...this.view(row), key };
  }

  list(opts: { status?: "active" | "revoked"; limit: number; cursor?: string }): { keys: KeyView[]; cursor?: string; total: number } {
    const orm = this.deps.db.orm;
    const filter = opts.status ? eq(partnerKeys.status, opts.status) : undefined;
    const total = orm.select({ n: count() }).from(partnerKeys).where(filter).get()?.n ?? 0;
    const c = opts.cursor !== undefined ? decodeCursor(opts.cursor) : undefined;
    const after = c ? or(lt(partnerKeys.createdAt, c.t), and(eq(partnerKeys.createdAt, c.t), lt(partnerKeys.id, c.k))) : undefined;
    const rows = orm.select().from(partnerKeys).where(and(filter, after)).orderBy(desc(partnerKeys.createdAt), desc(partnerKeys.id)).limit(opts.limit + 1).all();
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
    return this.deps.db.transaction((tx) => {
      const row = tx.orm.select().from(partnerKeys).where(eq(partnerKeys.id, id)).get();
      if (!row) throw notFound("No partner key with this id");
      // conditional update inside the serialised write transaction: two concurrent revokes cannot both succeed
      const changed = tx.orm.update(partnerKeys)
        .set({ status: "revoked", revokedAt: new Date(this.now()).toISOString(), revokedBy: actorDid })
        .where(and(eq(partnerKeys.id, id), eq(partnerKeys.status, "active"))).returning({ id: partnerKeys.id }).get();
      if (!changed) throw alreadyRevoked();
      this.deps.audit.writeInTx(tx, { action: "partner.key.revoke", actorType: "account", actorDid, targetId: id, meta: { name: row.name, partnerName: row.partnerName } });
      return { id, status: "revoked" as const };
    });
  }

  // ---- X-Partner-Key check ----------------------------------------------------------------------------------

  /**
   * The `partner` guard (06 §7): API enabled → key present, well-formed, known, not revoked (401 Unauthorized) →
   * `register` permission (403) → Origin, when present, equal to an allowed origin after normalisation (403).
   * Read-only: a refused request writes nothing; lastUsedAt is set by a successful registration.
   */
  authenticate(rawKey: string | null, origin: string | null): PartnerCaller {
    if (!this.deps.config.partnerApiEnabled) throw partnerApiDisabled();
    if (rawKey === null || rawKey.trim() === "") throw unauthorized("X-Partner-Key header required");
    const key = rawKey.trim();
    if (!KEY_RE.test(key)) throw unauthorized("Malformed partner key");
    const row = this.deps.db.orm.select().from(partnerKeys).where(eq(partnerKeys.keyHash, hashPartnerKey(key))).get();
    if (!row) throw unauthorized("Unknown partner key");
    if (row.status !== "active") throw revokedKey();
    if (!parseList(row.permissions).includes("register")) throw forbidden("This partner key lacks the register permission");
    if (origin === null) return { kind: "partner", keyId: row.id, partnerName: row.partnerName };
    const normalised = normaliseOrigin(origin, this.deps.config.dev);
    if (!normalised.ok || !parseList(row.allowedOrigins).includes(normalised.origin)) throw forbidden("Origin not allowed");
    return { kind: "partner", keyId: row.id, partnerName: row.partnerName, origin: normalised.origin };
  }

  // ---- partner.register ---------------------------------------------------------------------------------------

  /** Accounts the key created in the trailing hour, and the Retry-After (seconds) once `limit` is reached. */
  private window(orm: Orm, keyId: string, limit: number): { used: number; retryAfterSec: number } {
    const nowMs = this.now();
    const since = new Date(nowMs - HOUR_MS).toISOString();
    const rows = orm.select({ at: accounts.createdAt }).from(accounts)
      .where(and(eq(accounts.partnerKeyId, keyId), gt(accounts.createdAt, since))).orderBy(asc(accounts.createdAt)).all();
    // the slot frees when the oldest row that keeps the count at the limit leaves the window
    const freeing = rows[rows.length - limit];
    const retryAfterSec = freeing ? Math.max(1, Math.ceil((Date.parse(freeing.at) + HOUR_MS - nowMs) / 1000)) : 1;
    return { used: rows.length, retryAfterSec };
  }

  private assertUnderLimit(orm: Orm, keyId: string, limit: number): void {
    const { used, retryAfterSec } = this.window(orm, keyId, limit);
    if (used >= limit) {
      throw new DomainError("rateLimited", "RateLimitExceeded", `This partner key may register ${limit} accounts per hour`, undefined, retryAfterSec);
    }
  }

  private liveKey(orm: Orm, keyId: string): PartnerKeyRow {
    const row = orm.select().from(partnerKeys).where(eq(partnerKeys.id, keyId)).get();
    if (!row || row.status !== "active") throw revokedKey();
    return row;
  }

  /** No invite, approved at once, a normal session (06 §7); the account creation routine does the rest. */
  async register(caller: PartnerCaller, input: PartnerRegisterInput, ip?: string): Promise<PartnerRegistered> {
    const { db, audit, sessions } = this.deps;
    const key = this.liveKey(db.orm, caller.keyId);
    this.assertUnderLimit(db.orm, key.id, key.rateLimitPerHour); // fast refusal before any hashing or PLC work
    const created = await this.deps.accounts.create({
      handle: input.handle,
      email: input.email,
      password: input.password,
      ...(input.rotationKey ? { rotationKey: input.rotationKey } : {}),
      createdVia: "partner",
      actor: { type: "anonymous", ...(ip ? { ip } : {}) },
      partner: {
        keyId: key.id,
        // Why here: write transactions are serialised, and this count and the `creating` row it guards are in one
        // transaction, so concurrent registrations through one key cannot exceed rateLimitPerHour.
        reserveInTx: (tx: Tx) => {
          const live = this.liveKey(tx.orm, key.id);
          this.assertUnderLimit(tx.orm, live.id, live.rateLimitPerHour);
        },
        finalizeInTx: (tx: Tx, account) => {
          tx.orm.update(partnerKeys)
            .set({ totalRegistrations: sql`${partnerKeys.totalRegistrations} + 1`, lastUsedAt: new Date(this.now()).toISOString() })
            .where(eq(partnerKeys.id, key.id)).run();
          audit.writeInTx(tx, { action: "partner.register", actorType: "partnerKey", partnerKeyId: key.id, targetDid: account.did, meta: { handle: account.handle, partnerName: key.partnerName, did: account.did } });
        },
      },
    });
    const s = await db.transaction((tx) => {
      const s = sessions.createInTx(tx, created.did, "com.atproto.access");
      audit.writeInTx(tx, { action: "session.create", actorType: "account", actorDid: created.did, targetDid: created.did, meta: { sid: s.sid, restricted: false }, ...(ip ? { ip } : {}) });
      return s;
    });
    return {
      did: created.did,
      handle: created.handle,
      email: created.email,
      status: "approved",
      accessJwt: s.accessJwt,
      refreshJwt: s.refreshJwt,
      active: true,
      ...(created.primaryRotationKey ? { primaryRotationKey: created.primaryRotationKey } : {}),
    };
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
