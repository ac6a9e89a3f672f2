// Sessions: access/refresh JWT issue, refresh rotation with a 10 s grace, reuse detection, revocation (01 §9).
import { openForHolder, sealForHolder } from "../util/holder-seal.ts";
import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull, ne } from "drizzle-orm";
import type { Config, Secrets } from "../config/types.ts";
import type { Database, Tx } from "../db/database.ts";
import type { AccessScope } from "../caller.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { invalidToken } from "../errors.ts";
import { signJwt, type JwtClaims } from "./jwt.ts";
import { refreshTokens, sessions } from "./schema.ts";
import { deleteOAuthRowsInTx, revokeOAuthSessionsInTx } from "../oauth/tokens.ts";

export const REFRESH_GRACE_MS = 10_000;

export interface TokenPair {
  accessJwt: string;
  refreshJwt: string;
}

export const sha256Hex = (s: string): string => createHash("sha256").update(s).digest("hex");
const randomId = (bytes = 16): string => randomBytes(bytes).toString("base64url");

export class SessionService {
  constructor(
    private readonly deps: { config: Config; secrets: Secrets; db: Database; audit: AuditLog },
    private readonly now: () => number = Date.now,
  ) {}

  private mint(did: string, sid: string, scope: AccessScope, nowMs: number): { pair: TokenPair; refreshHash: string; refreshExpires: string } {
    const { config, secrets } = this.deps;
    const iat = Math.floor(nowMs / 1000);
    const base = { sub: did, aud: config.serviceDid, iat, sid };
    const access: JwtClaims = { ...base, scope, exp: iat + Math.floor(config.accessTokenTtlMs / 1000), jti: randomId() };
    const refreshJti = randomId();
    const refresh: JwtClaims = { ...base, scope: "com.atproto.refresh", exp: iat + Math.floor(config.refreshTokenTtlMs / 1000), jti: refreshJti };
    return {
      pair: { accessJwt: signJwt(secrets.authJwtSecret, "at+jwt", access), refreshJwt: signJwt(secrets.authJwtSecret, "refresh+jwt", refresh) },
      refreshHash: sha256Hex(refreshJti),
      refreshExpires: new Date(refresh.exp * 1000).toISOString(),
    };
  }

  /** Starts a new session (family) for a successful login. */
  async createInTx(tx: Tx, did: string, scope: AccessScope, appPasswordId?: string): Promise<TokenPair & { sid: string }> {
    const nowMs = this.now();
    const sid = randomId();
    const { pair, refreshHash, refreshExpires } = this.mint(did, sid, scope, nowMs);
    const at = new Date(nowMs).toISOString();
    await tx.orm.insert(sessions).values({ id: sid, did, createdAt: at, lastUsedAt: at, expiresAt: refreshExpires, appPasswordId: appPasswordId ?? null }).run();
    await tx.orm.insert(refreshTokens).values({ hash: refreshHash, sid, createdAt: at, expiresAt: refreshExpires }).run();
    return { ...pair, sid };
  }

  /** True when the session was created with an app password (10 §4): such a session is never "full", whatever its scope. */
  async appPasswordBound(sid: string): Promise<boolean> {
    const row = await this.deps.db.orm.select({ id: sessions.appPasswordId }).from(sessions).where(eq(sessions.id, sid)).get();
    return !!row?.id;
  }

  /** True when the session exists and is not revoked (read connection). */
  async isLive(sid: string): Promise<boolean> {
    const row = await this.deps.db.orm.select({ revokedAt: sessions.revokedAt }).from(sessions).where(eq(sessions.id, sid)).get();
    return !!row && row.revokedAt === null;
  }

  /**
   * What an access token's request needs, in ONE raw statement on the read connection: whether session `sid`
   * is live (as isLive), the account row of `did` (its DID and status, null when absent) and its roles (sorted).
   * This runs on every authenticated request; three drizzle queries built and prepared per call were a measurable
   * share of a write's latency, so this stays one cached raw statement. It yields one row per role (one row with a
   * null role when there is none); the roles are joined in JS, as the engines share no string aggregate.
   * Security: the session must belong to `did` (the token's `sub`): a token whose sub differs from its session's
   * DID is not live, so a leaked signing secret plus one session id cannot act as another account.
   */
  async accessOf(sid: string, did: string): Promise<{ live: boolean; did: string | null; status: string | null; roles: string[] }> {
    const rows = await this.deps.db.raw.all<{ live: number | boolean; did: string | null; status: string | null; role: string | null }>(
      `SELECT EXISTS (SELECT 1 FROM sessions WHERE id = ? AND did = ? AND revoked_at IS NULL) AS live, a.did, a.status, r.role
         FROM (SELECT 1 AS one) AS anchor LEFT JOIN accounts a ON a.did = ? LEFT JOIN account_roles r ON r.did = a.did`,
      [sid, did, did],
    );
    const row = rows[0]!;
    const roles = rows.flatMap((r) => (r.role === null ? [] : [r.role])).sort();
    return { live: !!row.live, did: row.did, status: row.status, roles };
  }

  /**
   * Rotates a verified refresh token. `scopeFor` recomputes the access scope from the account's current status
   * and the session's app password, if any (it throws the status error when the account may not hold a session).
   */
  async rotate(claims: { jti: string; sid: string; sub: string }, scopeFor: (session: { appPasswordId: string | null }, tx: Tx) => AccessScope | Promise<AccessScope>, ip?: string): Promise<TokenPair> {
    const hash = sha256Hex(claims.jti);
    const nowMs = this.now();
    let reuse = false;
    const pair = await this.deps.db.transaction(async (tx) => {
      const token = await tx.orm.select().from(refreshTokens).where(eq(refreshTokens.hash, hash)).get();
      if (!token || token.sid !== claims.sid) throw invalidToken();
      const session = await tx.orm.select().from(sessions).where(eq(sessions.id, token.sid)).get();
      if (!session || session.revokedAt !== null || session.did !== claims.sub) throw invalidToken();
      if (token.rotatedAt !== null) {
        // a duplicate within the grace (a client retrying, or racing itself on another cluster process) gets the same
        // successor pair, which the row holds sealed for this token's holder only
        const withinGrace = Date.parse(token.rotatedAt) + REFRESH_GRACE_MS > nowMs;
        const sealed = withinGrace && token.successor ? openForHolder("refresh-grace", claims.jti, token.successor) : undefined;
        if (sealed) return JSON.parse(sealed) as TokenPair;
        // A rotated token presented again after the grace window: someone holds a stolen copy. Kill the family.
        const at = new Date(nowMs).toISOString();
        await tx.orm.update(sessions).set({ revokedAt: at }).where(eq(sessions.id, token.sid)).run();
        await this.deps.audit.writeInTx(tx, { action: "session.reuseDetected", actorType: "account", actorDid: session.did, targetDid: session.did, meta: { sid: token.sid }, ip });
        reuse = true;
        return undefined;
      }
      const scope = await scopeFor(session, tx);
      const minted = this.mint(session.did, session.id, scope, nowMs);
      const at = new Date(nowMs).toISOString();
      const successor = sealForHolder("refresh-grace", claims.jti, JSON.stringify(minted.pair));
      await tx.orm.update(refreshTokens).set({ rotatedAt: at, successor }).where(eq(refreshTokens.hash, hash)).run();
      await tx.orm.insert(refreshTokens).values({ hash: minted.refreshHash, sid: session.id, createdAt: at, expiresAt: minted.refreshExpires }).run();
      await tx.orm.update(sessions).set({ lastUsedAt: at, expiresAt: minted.refreshExpires }).where(eq(sessions.id, session.id)).run();
      return minted.pair;
    });
    if (reuse || !pair) throw invalidToken("Refresh token was already used; the session has been revoked");
    return pair;
  }

  /** Revokes one session; returns whether anything changed (deleteSession is idempotent). */
  async revoke(sid: string, ip?: string): Promise<boolean> {
    return this.deps.db.transaction(async (tx) => {
      const row = await tx.orm.update(sessions).set({ revokedAt: new Date(this.now()).toISOString() })
        .where(and(eq(sessions.id, sid), isNull(sessions.revokedAt))).returning({ did: sessions.did }).get();
      if (!row) return false;
      await this.deps.audit.writeInTx(tx, { action: "session.delete", actorType: "account", actorDid: row.did, targetDid: row.did, meta: { sid }, ip });
      return true;
    });
  }

  /** Revokes every live session of an account (rejection, suspension, password change). */
  async revokeAllInTx(tx: Tx, did: string): Promise<void> {
    await tx.orm.update(sessions).set({ revokedAt: new Date(this.now()).toISOString() })
      .where(and(eq(sessions.did, did), isNull(sessions.revokedAt))).run();
    await revokeOAuthSessionsInTx(tx, did, this.now()); // 11 §9.2: OAuth sessions go with the others
  }

  /** Account deletion (06 §1): every session of the account and its refresh tokens go, not just revoked. */
  async deleteAllInTx(tx: Tx, did: string): Promise<void> {
    const sids = (await tx.orm.delete(sessions).where(eq(sessions.did, did)).returning({ id: sessions.id }).all()).map((r) => r.id);
    for (const sid of sids) await tx.orm.delete(refreshTokens).where(eq(refreshTokens.sid, sid)).run();
    await deleteOAuthRowsInTx(tx, did);
  }

  /** Revokes every live session of an account but `keepSid` (a password change keeps the caller signed in). */
  async revokeOthersInTx(tx: Tx, did: string, keepSid: string): Promise<number> {
    await revokeOAuthSessionsInTx(tx, did, this.now()); // a password change ends every OAuth session too (11 §9.2)
    return (await tx.orm.update(sessions).set({ revokedAt: new Date(this.now()).toISOString() })
      .where(and(eq(sessions.did, did), isNull(sessions.revokedAt), ne(sessions.id, keepSid))).returning({ id: sessions.id }).all()).length;
  }
}
