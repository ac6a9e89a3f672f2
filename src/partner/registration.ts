// The partner side of spec 06 §7: the X-Partner-Key check (the `partner` guard) and partner.register with its per-key hourly window.
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Orm, Tx } from "../db/database.ts";
import type { PrimaryRotationKey } from "../account/ports.ts";
import { accounts } from "../account/schema.ts";
import { DomainError, forbidden, unauthorized } from "../errors.ts";
import { hashPartnerKey, KEY_RE } from "./key-material.ts";
import { normaliseOrigin } from "./origins.ts";
import { parseList, partnerKeys, type PartnerKeyRow } from "./schema.ts";
import type { PartnerDeps } from "./service.ts";

const HOUR_MS = 3_600_000;

/** A request that passed the X-Partner-Key check (key live, permission held, Origin allowed or absent). */
export interface PartnerCaller {
  kind: "partner";
  keyId: string;
  partnerName: string;
  /** the normalised Origin of a browser call; absent for server-to-server calls */
  origin?: string;
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

export class PartnerRegistration {
  constructor(private readonly deps: PartnerDeps, private readonly now: () => number) {}

  // ---- X-Partner-Key check ----------------------------------------------------------------------------------

  /**
   * The `partner` guard (06 §7): API enabled → key present, well-formed, known, not revoked (401 Unauthorized) →
   * `register` permission (403) → Origin, when present, equal to an allowed origin after normalisation (403).
   * Read-only: a refused request writes nothing; lastUsedAt is set by a successful registration.
   */
  async authenticate(rawKey: string | null, origin: string | null): Promise<PartnerCaller> {
    if (!this.deps.config.partnerApiEnabled) throw partnerApiDisabled();
    if (rawKey === null || rawKey.trim() === "") throw unauthorized("X-Partner-Key header required");
    const key = rawKey.trim();
    if (!KEY_RE.test(key)) throw unauthorized("Malformed partner key");
    const row = await this.deps.db.orm.select().from(partnerKeys).where(eq(partnerKeys.keyHash, hashPartnerKey(key))).get();
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
  private async window(orm: Orm, keyId: string, limit: number): Promise<{ used: number; retryAfterSec: number }> {
    const nowMs = this.now();
    const since = new Date(nowMs - HOUR_MS).toISOString();
    const rows = await orm.select({ at: accounts.createdAt }).from(accounts)
      .where(and(eq(accounts.partnerKeyId, keyId), gt(accounts.createdAt, since))).orderBy(asc(accounts.createdAt)).all();
    // the slot frees when the oldest row that keeps the count at the limit leaves the window
    const freeing = rows[rows.length - limit];
    const retryAfterSec = freeing ? Math.max(1, Math.ceil((Date.parse(freeing.at) + HOUR_MS - nowMs) / 1000)) : 1;
    return { used: rows.length, retryAfterSec };
  }

  private async assertUnderLimit(orm: Orm, keyId: string, limit: number): Promise<void> {
    const { used, retryAfterSec } = await this.window(orm, keyId, limit);
    if (used >= limit) {
      throw new DomainError("rateLimited", "RateLimitExceeded", `This partner key may register ${limit} accounts per hour`, undefined, retryAfterSec);
    }
  }

  private async liveKey(orm: Orm, keyId: string): Promise<PartnerKeyRow> {
    const row = await orm.select().from(partnerKeys).where(eq(partnerKeys.id, keyId)).get();
    if (!row || row.status !== "active") throw revokedKey();
    return row;
  }

  /** No invite, approved at once, a normal session (06 §7); the account creation routine does the rest. */
  async register(caller: PartnerCaller, input: PartnerRegisterInput, ip?: string): Promise<PartnerRegistered> {
    const { db, audit, sessions } = this.deps;
    const key = await this.liveKey(db.orm, caller.keyId);
    await this.assertUnderLimit(db.orm, key.id, key.rateLimitPerHour); // fast refusal before any hashing or PLC work
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
        reserveInTx: async (tx: Tx) => {
          const live = await this.liveKey(tx.orm, key.id);
          await this.assertUnderLimit(tx.orm, live.id, live.rateLimitPerHour);
        },
        finalizeInTx: async (tx: Tx, account) => {
          await tx.orm.update(partnerKeys)
            .set({ totalRegistrations: sql`${partnerKeys.totalRegistrations} + 1`, lastUsedAt: new Date(this.now()).toISOString() })
            .where(eq(partnerKeys.id, key.id)).run();
          await audit.writeInTx(tx, { action: "partner.register", actorType: "partnerKey", partnerKeyId: key.id, targetDid: account.did, meta: { handle: account.handle, partnerName: key.partnerName, did: account.did } });
        },
      },
    });
    const s = await db.transaction(async (tx) => {
      const s = await sessions.createInTx(tx, created.did, "com.atproto.access");
      await audit.writeInTx(tx, { action: "session.create", actorType: "account", actorDid: created.did, targetDid: created.did, meta: { sid: s.sid, restricted: false }, ...(ip ? { ip } : {}) });
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
}
