// The token endpoint, refresh rotation, revocation and OAuth access-token verification (11 §6, §8, §9.1).
import { openForHolder, sealForHolder } from "../util/holder-seal.ts";
import { randomBytes } from "node:crypto";
import { and, eq, isNotNull, isNull, lt, or } from "drizzle-orm";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { Database, Tx } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { AccountRow } from "../account/views.ts";
import type { OAuthKeys } from "./keys.ts";
import type { ClientResolver } from "./clients.ts";
import { invalidGrant, invalidOAuthToken, invalidRequest, OAuthError } from "./errors.ts";
import { sha256b64, type RequestParams } from "./requests.ts";
import { oauthCodeChallenges, oauthRequests, oauthSessions } from "./schema.ts";

/** the default access-token lifetime (OAUTH_ACCESS_TOKEN_TTL) */
export const ACCESS_TTL_MS = 15 * 60_000;
const REFRESH_TTL_MS = 14 * 24 * 3_600_000;
const SESSION_TTL_MS = 14 * 24 * 3_600_000;
const REFRESH_GRACE_MS = 10_000;
const BINDING = "DPoP proof does not match the key of the authorization request";

export interface TokenResponse {
  access_token: string;
  token_type: "DPoP";
  expires_in: number;
  refresh_token: string;
  scope: string;
  sub: string;
}

/** What a verified OAuth access token establishes for XRPC (11 §8). */
export interface OAuthAccess {
  did: string;
  sid: string;
  scope: string;
  status: string;
}

const usable = (row: AccountRow | undefined): boolean => !!row && (row.status === "approved" || row.status === "deactivated");

export class OAuthTokens {
  /** rotated refresh-token hash → the response its rotation produced, for a duplicate in flight (10 s) */

  constructor(private readonly deps: { db: Database; keys: OAuthKeys; clients: ClientResolver; audit: AuditLog; issuer: string; serviceDid: string; account: (did: string) => Promise<AccountRow | undefined>; now: () => number; accessTtlMs?: number }) {}

  private get accessTtlMs(): number {
    return this.deps.accessTtlMs ?? ACCESS_TTL_MS;
  }

  private async accessToken(s: { id: string; did: string; clientId: string; scope: string; dpopJkt: string }, nowMs: number): Promise<string> {
    const iat = Math.floor(nowMs / 1000);
    return new SignJWT({ scope: s.scope, client_id: s.clientId, cnf: { jkt: s.dpopJkt }, sid: s.id })
      .setProtectedHeader({ typ: "at+jwt", alg: "ES256", kid: this.deps.keys.publicJwk.kid })
      .setIssuer(this.deps.issuer).setAudience(this.deps.serviceDid).setSubject(s.did)
      .setIssuedAt(iat).setExpirationTime(iat + Math.floor(this.accessTtlMs / 1000)).setJti(randomBytes(16).toString("base64url"))
      .sign(this.deps.keys.signingKey);
  }

  private async respond(s: { id: string; did: string; clientId: string; scope: string; dpopJkt: string }, refresh: string, nowMs: number): Promise<TokenResponse> {
    return { access_token: await this.accessToken(s, nowMs), token_type: "DPoP", expires_in: Math.floor(this.accessTtlMs / 1000), refresh_token: refresh, scope: s.scope, sub: s.did };
  }

  /** POST /oauth/token after its DPoP proof (key `jkt`) was verified. */
  async grant(body: Record<string, string>, jkt: string, ip: string): Promise<TokenResponse> {
    if (!body.client_id) throw invalidRequest("client_id is required");
    await this.deps.clients.resolve(body.client_id); // metadata re-read at every token request (11 §3)
    if (body.grant_type === "authorization_code") return this.exchangeCode(body, jkt, ip);
    if (body.grant_type === "refresh_token") return this.refresh(body, jkt, ip);
    throw new OAuthError(400, "unsupported_grant_type", "Unsupported grant_type");
  }

  private async exchangeCode(body: Record<string, string>, jkt: string, ip: string): Promise<TokenResponse> {
    for (const p of ["code", "code_verifier", "redirect_uri"]) if (!body[p]) throw invalidRequest(`${p} is required`);
    const codeHash = sha256b64(body.code!);
    const nowMs = this.deps.now();
    const refresh = `ofr_${randomBytes(32).toString("base64url")}`;
    // One transaction: the code is consumed whatever the outcome (a failed exchange cannot be retried with a better
    // guess), and the refusal is thrown only after the commit so the consumption stays.
    const outcome = await this.deps.db.transaction(async (tx): Promise<{ error: OAuthError } | { session: { id: string; did: string; clientId: string; scope: string; dpopJkt: string } }> => {
      const req = await tx.orm.select().from(oauthRequests).where(eq(oauthRequests.codeHash, codeHash)).get();
      if (!req) {
        // a used code: the session it created is revoked (its tokens may be in an attacker's hands)
        const used = await tx.orm.update(oauthSessions).set({ revokedAt: nowMs, revokedBy: "system" })
          .where(and(eq(oauthSessions.codeHash, codeHash), isNull(oauthSessions.revokedAt))).returning({ id: oauthSessions.id, did: oauthSessions.did, clientId: oauthSessions.clientId }).get();
        if (used) await this.deps.audit.writeInTx(tx, { action: "oauth.session.reuseDetected", actorType: "system", targetDid: used.did, meta: { sid: used.id, kind: "code" }, ip });
        return { error: invalidGrant("Invalid code") };
      }
      await tx.orm.delete(oauthRequests).where(eq(oauthRequests.id, req.id)).run();
      const params = JSON.parse(req.paramsJson) as RequestParams;
      if ((req.codeExpiresAt ?? 0) <= nowMs) return { error: invalidGrant("This code has expired") };
      if (req.clientId !== body.client_id) return { error: invalidGrant("Token was not issued to this client") };
      if (params.redirect_uri !== body.redirect_uri) return { error: invalidGrant("The redirect_uri parameter must match the one used in the authorization request") };
      if (body.code_verifier!.length < 43) return { error: invalidGrant("code_verifier too short") };
      if (sha256b64(body.code_verifier!) !== params.code_challenge) return { error: invalidGrant("Invalid code_verifier") };
      if (req.dpopJkt !== jkt) return { error: invalidGrant(BINDING) };
      if (!req.did || !usable(await this.deps.account(req.did))) return { error: invalidGrant("Account is not available") };
      const session = { id: `oas_${randomBytes(16).toString("hex")}`, did: req.did, clientId: req.clientId, scope: params.scope, dpopJkt: jkt };
      await tx.orm.insert(oauthSessions).values({
        ...session, refreshHash: sha256b64(refresh), codeHash, createdAt: nowMs, lastUsedAt: nowMs,
        expiresAt: nowMs + SESSION_TTL_MS, refreshExpiresAt: nowMs + REFRESH_TTL_MS,
      }).run();
      await this.deps.audit.writeInTx(tx, { action: "oauth.session.create", actorType: "account", actorDid: req.did, targetDid: req.did, meta: { sid: session.id, clientId: req.clientId, scope: params.scope, confidential: false }, ip });
      return { session };
    });
    if ("error" in outcome) throw outcome.error;
    return this.respond(outcome.session, refresh, nowMs);
  }

  private async refresh(body: Record<string, string>, jkt: string, ip: string): Promise<TokenResponse> {
    if (!body.refresh_token) throw invalidRequest("refresh_token is required");
    const hash = sha256b64(body.refresh_token);
    const nowMs = this.deps.now();
    const next = `ofr_${randomBytes(32).toString("base64url")}`;
    const outcome = await this.deps.db.transaction(async (tx): Promise<{ error: OAuthError } | { cached: TokenResponse }> => {
      const s = await tx.orm.select().from(oauthSessions).where(or(eq(oauthSessions.refreshHash, hash), eq(oauthSessions.previousRefreshHash, hash))).get();
      if (!s) return { error: invalidGrant("Invalid refresh token") };
      if (s.clientId !== body.client_id) return { error: invalidGrant("Token was not issued to this client") };
      if (s.revokedAt !== null) return { error: invalidGrant("Session revoked") };
      if (s.dpopJkt !== jkt) return { error: invalidGrant(BINDING) };
      if (s.expiresAt <= nowMs) return { error: invalidGrant("Session expired") };
      if (s.refreshHash !== hash) {
        // a rotated token again: a duplicate in flight within 10 s gets the same answer (from the row, so on any
        // cluster process; sealed with the old token, so the row alone gives nothing away), anything later is a replay
        const sealed = s.rotatedAt !== null && s.rotatedAt + REFRESH_GRACE_MS > nowMs && s.previousSuccessor ? openForHolder("oauth-refresh-grace", body.refresh_token!, s.previousSuccessor) : undefined;
        if (sealed) return { cached: JSON.parse(sealed) as TokenResponse };
        await tx.orm.update(oauthSessions).set({ revokedAt: nowMs, revokedBy: "system" }).where(eq(oauthSessions.id, s.id)).run();
        await this.deps.audit.writeInTx(tx, { action: "oauth.session.reuseDetected", actorType: "system", targetDid: s.did, meta: { sid: s.id, kind: "refresh" }, ip });
        return { error: invalidGrant("Refresh token replayed") };
      }
      if (s.refreshExpiresAt <= nowMs) return { error: invalidGrant("Refresh token expired") };
      if (!usable(await this.deps.account(s.did))) return { error: invalidGrant("Account is not available") };
      const response = await this.respond(s, next, nowMs);
      await tx.orm.update(oauthSessions).set({
        refreshHash: sha256b64(next), previousRefreshHash: hash, rotatedAt: nowMs, lastUsedAt: nowMs,
        refreshExpiresAt: Math.min(nowMs + REFRESH_TTL_MS, s.expiresAt),
        previousSuccessor: sealForHolder("oauth-refresh-grace", body.refresh_token!, JSON.stringify(response)),
      }).where(eq(oauthSessions.id, s.id)).run();
      return { cached: response };
    });
    if ("error" in outcome) throw outcome.error;
    return outcome.cached;
  }

  /** POST /oauth/revoke (RFC 7009): always succeeds; a token of the calling client revokes its whole session. */
  async revoke(body: Record<string, string>, ip: string): Promise<void> {
    if (!body.client_id) throw invalidRequest("client_id is required");
    await this.deps.clients.resolve(body.client_id);
    const token = body.token;
    if (!token) throw invalidRequest("token is required");
    let sid: string | undefined;
    if (token.startsWith("ofr_")) {
      const hash = sha256b64(token);
      sid = (await this.deps.db.orm.select({ id: oauthSessions.id }).from(oauthSessions).where(or(eq(oauthSessions.refreshHash, hash), eq(oauthSessions.previousRefreshHash, hash))).get())?.id;
    } else {
      // an access token, even an expired one, names its session
      sid = await jwtVerify(token, this.deps.keys.verifyKey, { typ: "at+jwt", issuer: this.deps.issuer, audience: this.deps.serviceDid, algorithms: ["ES256"], currentDate: new Date(0) })
        .then(({ payload }) => (typeof payload.sid === "string" ? payload.sid : undefined), () => undefined);
    }
    if (!sid) return;
    await this.deps.db.transaction(async (tx) => {
      const row = await tx.orm.update(oauthSessions).set({ revokedAt: this.deps.now(), revokedBy: "client" })
        .where(and(eq(oauthSessions.id, sid!), eq(oauthSessions.clientId, body.client_id!), isNull(oauthSessions.revokedAt))).returning({ did: oauthSessions.did }).get();
      if (row) await this.deps.audit.writeInTx(tx, { action: "oauth.session.revoke", actorType: "account", actorDid: row.did, targetDid: row.did, meta: { sid, clientId: body.client_id, by: "client" }, ip });
    });
  }

  /**
   * An access token on XRPC, after its DPoP proof (key `jkt`) was verified: signature, exp, iss, aud → session live
   * (revocation is immediate) → cnf.jkt = proof key. Status and roles come from the database (the caller gates).
   */
  async verifyAccess(token: string, jkt: string): Promise<OAuthAccess> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.deps.keys.verifyKey, { typ: "at+jwt", issuer: this.deps.issuer, audience: this.deps.serviceDid, algorithms: ["ES256"], currentDate: new Date(this.deps.now()) }));
    } catch (err) {
      throw invalidOAuthToken(err instanceof joseErrors.JWTExpired ? "Token expired" : "Invalid token");
    }
    const sid = payload.sid, sub = payload.sub, scope = payload.scope, cnf = payload.cnf as { jkt?: unknown } | undefined;
    if (typeof sid !== "string" || typeof sub !== "string" || typeof scope !== "string") throw invalidOAuthToken("Invalid token");
    const s = await this.deps.db.orm.select({ did: oauthSessions.did, revokedAt: oauthSessions.revokedAt, expiresAt: oauthSessions.expiresAt }).from(oauthSessions).where(eq(oauthSessions.id, sid)).get();
    if (!s || s.did !== sub || s.revokedAt !== null || s.expiresAt <= this.deps.now()) throw invalidOAuthToken("Token has been revoked");
    if (cnf?.jkt !== jkt) throw invalidOAuthToken("Invalid DPoP key binding");
    const account = await this.deps.account(sub);
    if (!account || account.status === "creating") throw invalidOAuthToken("Invalid token");
    return { did: sub, sid, scope, status: account.status };
  }
}

const KEEP_ENDED_MS = 7 * 24 * 3_600_000;

/** The hourly sweep (11 §10): expired requests and challenges, and sessions revoked or expired more than 7 days ago. */
export async function sweepOAuth(db: Database, nowMs: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.orm.delete(oauthRequests).where(lt(oauthRequests.expiresAt, nowMs)).run();
    await tx.orm.delete(oauthCodeChallenges).where(lt(oauthCodeChallenges.expiresAt, nowMs)).run();
    await tx.orm.delete(oauthSessions).where(or(and(isNotNull(oauthSessions.revokedAt), lt(oauthSessions.revokedAt, nowMs - KEEP_ENDED_MS)), lt(oauthSessions.expiresAt, nowMs - KEEP_ENDED_MS))).run();
  });
}

/** Every OAuth session of an account is revoked with its other sessions (11 §9.2, by "system"). */
export async function revokeOAuthSessionsInTx(tx: Tx, did: string, nowMs: number): Promise<void> {
  await tx.orm.update(oauthSessions).set({ revokedAt: nowMs, revokedBy: "system" }).where(and(eq(oauthSessions.did, did), isNull(oauthSessions.revokedAt))).run();
  await tx.orm.delete(oauthRequests).where(eq(oauthRequests.did, did)).run();
}

/** Account deletion and rejection: every OAuth row of the account goes. */
export async function deleteOAuthRowsInTx(tx: Tx, did: string): Promise<void> {
  await tx.orm.delete(oauthSessions).where(eq(oauthSessions.did, did)).run();
  await tx.orm.delete(oauthRequests).where(eq(oauthRequests.did, did)).run();
}

