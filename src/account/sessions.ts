// Sessions: access/refresh JWT issue, refresh rotation with a 10 s grace cache, reuse detection, revocation (01 §9).
import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull, ne } from "drizzle-orm";
import type { Config, Secrets } from "../config/types.ts";
import type { Database, Tx } from "../db/database.ts";
import type { AccessScope } from "../caller.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { invalidToken } from "../errors.ts";
import { sqliteOf } from "../db/sqlite.ts";
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
  /** refresh-token hash → the pair its rotation produced, kept REFRESH_GRACE_MS for concurrent duplicate refreshes */
  private readonly grace = new Map<string, { pair: TokenPair; until: number }>();

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
  createInTx(tx: Tx, did: string, scope: AccessScope, appPasswordId?: string): TokenPair & { sid: string } {
    const nowMs = this.now();
    const sid = randomId();
    const { pair, refreshHash, refreshExpires } = this.mint(did, sid, scope, nowMs);
    const at = new Date(nowMs).toISOString();
    tx.orm.insert(sessions).values({ id: sid, did, createdAt: at, lastUsedAt: at, expiresAt: refreshExpires, appPasswordId: appPasswordId ?? null }).run();
    tx.orm.insert(refreshTokens).values({ hash: refreshHash, sid, createdAt: at, expiresAt: refreshExpires }).run();
    return { ...pair, sid };
  }

  /** True when the session was created with an app password (10 §4): such a session is never "full", whatever its scope. */
  appPasswordBound(sid: string): boolean {
    const row = this.deps.db.orm.select({ id: sessions.appPasswordId }).from(sessions).where(eq(sessions.id, sid)).get();
    return !!row?.id;
  }

  /** True when the session exists and is not revoked (read connection). */
  isLive(sid: string): boolean {
    const row = this.deps.db.orm.select({ revokedAt: sessions.revokedAt }).from(sessions).where(eq(sessions.id, sid)).get();
    return !!row && row.revokedAt === null;
  }

  /**
   * What an access token's request needs, in ONE prepared statement on the read connection: whether session `sid`
   * is live (as isLive), the account row of `did` (its DID and status, null when absent) and its roles (sorted).
   * This runs on every authenticated request; three drizzle queries built and prepared per call were a measurable
   * share of a write's latency, so this stays one cached raw statement.
   * Security: the session must belong to `did` (the token's `sub`): a token whose sub differs from its session's
   * DID is not live, so a leaked signing secret plus one session id cannot act as another account.
   */
  accessOf(sid: string, did: string): { live: boolean; did: string | null; status: string | null; roles: string[] } {
    const row = sqliteOf(this.deps.db.orm)
      .query<{ live: number; did: string | null; status: string | null; roles: string | null }, [string, string]>(
        `SELECT EXISTS (SELECT 1 FROM sessions WHERE id = ?1 AND did = ?2 AND revoked_at IS NULL) AS live, a.did, a.status,
                (SELECT group_concat(role, char(10)) FROM account_roles WHERE did = a.did) AS roles
           FROM (SELECT 1) LEFT JOIN accounts a ON a.did = ?2`,
      )
      .get(sid, did)!;
    return { live: !!row.live, did: row.did, status: row.status, roles: row.roles ? row.roles.split("\n").sort() : [] };
  }

  /**
   * Rotates a verified refresh token. `scopeFor` recomputes the access scope from the account's current status
   * and the session's app password, if any (it throws the status error when the account may not hold a session).
   */
  async rotate(claims: { jti: string; sid: string; sub: string }, scopeFor: (session: { appPasswordId: string | null }, tx: Tx) => AccessScope, ip?: string): Promise<TokenPair> {
    const hash = sha256Hex(claims.jti);
    const nowMs = this.now();
    this.sweepGrace(nowMs);
    let reuse = false;
    const pair = await this.deps.db.transaction((tx) => {
      const token = tx.orm.select().from(refreshTokens).where(eq(refreshTokens.hash, hash)).get();
      if (!token || token.sid !== claims.sid) throw invalidToken();
      const session = tx.orm.select().from(sessions).where(eq(sessions.id, token.sid)).get();
      if (!session || session.revokedAt !== null || session.did !== claims.sub) throw invalidToken();
      if (token.rotatedAt !== null) {
        const cached = this.grace.get(hash);
        if (cached && cached.until > nowMs) return cached.pair;
        // A rotated token presented again after the grace window: someone holds a stolen copy. Kill the family.
        const at = new Date(nowMs).toISOString();
        tx.orm.update(sessions).set({ revokedAt: at }).where(eq(sessions.id, token.sid)).run();
        this.deps.audit.writeInTx(tx, { action: "session.reuseDetected", actorType: "account", actorDid: session.did, targetDid: session.did, meta: { sid: token.sid }, ip });
        reuse = true;
        return undefined;
      }
      const scope = scopeFor(session, tx);
      const minted = this.mint(session.did, session.id, scope, nowMs);
      const at = new Date(nowMs).toISOString();
      tx.orm.update(refreshTokens).set({ rotatedAt: at }).where(eq(refreshTokens.hash, hash)).run();
      tx.orm.insert(refreshTokens).values({ hash: minted.refreshHash, sid: session.id, createdAt: at, expiresAt: minted.refreshExpires }).run();
      tx.orm.update(sessions).set({ lastUsedAt: at, expiresAt: minted.refreshExpires }).where(eq(sessions.id, session.id)).run();
      this.grace.set(hash, { pair: minted.pair, until: nowMs + REFRESH_GRACE_MS });
      return minted.pair;
    });
    if (reuse || !pair) throw invalidToken("Refresh token was already used; the session has been revoked");
    return pair;
  }

  /** Revokes one session; returns whether anything changed (deleteSession is idempotent). */
  async revoke(sid: string, ip?: string): Promise<boolean> {
    return this.deps.db.transaction((tx) => {
      const row = tx.orm.update(sessions).set({ revokedAt: new Date(this.now()).toISOString() })
        .where(and(eq(sessions.id, sid), isNull(sessions.revokedAt))).returning({ did: sessions.did }).get();
      if (!row) return false;
      this.deps.audit.writeInTx(tx, { action: "session.delete", actorType: "account", actorDid: row.did, targetDid: row.did, meta: { sid }, ip });
      return true;
    });
  }

  /** Revokes every live session of an account (rejection, suspension, password change). */
  revokeAllInTx(tx: Tx, did: string): void {
    tx.orm.update(sessions).set({ revokedAt: new Date(this.now()).toISOString() })
      .where(and(eq(sessions.did, did), isNull(sessions.revokedAt))).run();
    revokeOAuthSessionsInTx(tx, did, this.now()); // 11 §9.2: OAuth sessions go with the others
  }

  /** Account deletion (06 §1): every session of the account and its refresh tokens go, not just revoked. */
  deleteAllInTx(tx: Tx, did: string): void {
    const sids = tx.orm.delete(sessions).where(eq(sessions.did, did)).returning({ id: sessions.id }).all().map((r) => r.id);
    for (const sid of sids) tx.orm.delete(refreshTokens).where(eq(refreshTokens.sid, sid)).run();
    deleteOAuthRowsInTx(tx, did);
  }

  /** Revokes every live session of an account but `keepSid` (a password change keeps the caller signed in). */
  revokeOthersInTx(tx: Tx, did: string, keepSid: string): number {
    revokeOAuthSessionsInTx(tx, did, this.now()); // a password change ends every OAuth session too (11 §9.2)
    return tx.orm.update(sessions).set({ revokedAt: new Date(this.now()).toISOString() })
      .where(and(eq(sessions.did, did), isNull(sessions.revokedAt), ne(sessions.id, keepSid))).returning({ id: sessions.id }).all().length;
  }

  private sweepGrace(nowMs: number): void {
    for (const [k, v] of this.grace) if (v.until <= nowMs) this.grace.delete(k);
  }
}
