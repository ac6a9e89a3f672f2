// Pushed authorization requests and the sign-in/consent steps (11 §5): PAR validation, the stored request, Allow/Deny.
import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull, lt } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { AccountRow } from "../account/views.ts";
import { redirectAllowed, type ClientResolver } from "./clients.ts";
import { invalidRequest, invalidScope } from "./errors.ts";
import { oauthCodeChallenges, oauthRequests } from "./schema.ts";

export const REQUEST_TTL_MS = 5 * 60_000;
const REQUEST_MAX_MS = 60 * 60_000;
export const CODE_TTL_MS = 5 * 60_000;
const CHALLENGE_TTL_MS = 24 * 3_600_000;
export const REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:";
/**
 * SAFETY (interim rule, docs/oauth.md): granular scopes (11 §7-§8) are not built yet, so only these two are granted;
 * every other value is refused at PAR with invalid_scope rather than silently widened or narrowed.
 */
export const SUPPORTED_SCOPES: ReadonlySet<string> = new Set(["atproto", "transition:generic"]);

export interface RequestParams {
  redirect_uri: string;
  scope: string;
  state: string;
  code_challenge: string;
  login_hint?: string;
  prompt?: string;
  response_mode: "query" | "fragment";
}

export interface StoredRequest {
  id: string;
  clientId: string;
  params: RequestParams;
  dpopJkt: string;
  deviceId: string | null;
  did: string | null;
  expiresAt: number;
}

export const sha256b64 = (s: string): string => createHash("sha256").update(s).digest("base64url");
const HANDLE_OR_DID = /^(did:[a-z]+:[A-Za-z0-9._:%-]{1,2048}|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/;
const REFUSED_PARAMS = ["request", "claims", "nonce", "id_token_hint", "authorization_details"];

export class AuthorizationRequests {
  constructor(private readonly deps: { db: Database; clients: ClientResolver; audit: AuditLog; issuer: string; now: () => number }) {}

  /** POST /oauth/par after its DPoP proof (key `jkt`) was verified. */
  async push(body: Record<string, string>, jkt: string): Promise<{ request_uri: string; expires_in: number }> {
    const client = await this.deps.clients.resolve(body.client_id ?? "");
    for (const p of REFUSED_PARAMS) if (body[p] !== undefined) throw invalidRequest(`The "${p}" parameter is not supported`);
    if (body.response_type !== "code") throw invalidRequest('response_type must be "code"');
    let redirectUri = body.redirect_uri;
    if (redirectUri === undefined) {
      if (client.redirectUris.length !== 1) throw invalidRequest("redirect_uri is required");
      redirectUri = client.redirectUris[0]!;
    } else if (!redirectAllowed(client, redirectUri)) throw invalidRequest(`Invalid redirect_uri ${redirectUri}`);
    const scopes = (body.scope ?? "").split(" ").filter(Boolean);
    if (!scopes.includes("atproto")) throw invalidScope('The "atproto" scope is required');
    for (const s of scopes) {
      if (!SUPPORTED_SCOPES.has(s)) throw invalidScope(`Scope "${s}" is not supported by this server yet`);
      if (!client.scopes.has(s)) throw invalidScope(`Scope "${s}" is not declared in the client metadata`);
    }
    if (body.state === undefined || body.state.length < 1 || body.state.length > 2048) throw invalidRequest("state is required (1-2048 characters)");
    if (body.code_challenge === undefined || body.code_challenge === "") throw invalidRequest("Use of PKCE is required");
    if (body.code_challenge_method !== "S256") throw invalidRequest('atproto requires use of "S256" code_challenge_method');
    if (!/^[A-Za-z0-9_-]{43}$/.test(body.code_challenge)) throw invalidRequest("Invalid code_challenge");
    if (body.login_hint !== undefined && !HANDLE_OR_DID.test(body.login_hint)) throw invalidRequest("Invalid login_hint");
    if (body.prompt !== undefined && !["none", "login", "consent"].includes(body.prompt)) throw invalidRequest("Invalid prompt");
    const responseMode = body.response_mode ?? "query";
    if (responseMode !== "query" && responseMode !== "fragment") throw invalidRequest("Invalid response_mode");
    const params: RequestParams = {
      redirect_uri: redirectUri, scope: [...new Set(scopes)].join(" "), state: body.state, code_challenge: body.code_challenge,
      ...(body.login_hint !== undefined ? { login_hint: body.login_hint } : {}), ...(body.prompt !== undefined ? { prompt: body.prompt } : {}),
      response_mode: responseMode,
    };
    const now = this.deps.now();
    const id = `req-${randomBytes(16).toString("hex")}`;
    const challengeHash = sha256b64(body.code_challenge);
    await this.deps.db.transaction(async (tx) => {
      // Why in the writing transaction: the used-challenge check and its insert are atomic, so two PARs with one
      // challenge cannot both pass (the primary key refuses the second insert, too).
      await tx.orm.delete(oauthCodeChallenges).where(lt(oauthCodeChallenges.expiresAt, now)).run();
      const used = await tx.orm.select().from(oauthCodeChallenges).where(eq(oauthCodeChallenges.hash, challengeHash)).get();
      if (used) throw invalidRequest("code_challenge already used");
      await tx.orm.insert(oauthCodeChallenges).values({ hash: challengeHash, expiresAt: now + CHALLENGE_TTL_MS }).run();
      await tx.orm.delete(oauthRequests).where(lt(oauthRequests.expiresAt, now)).run();
      await tx.orm.insert(oauthRequests).values({ id, clientId: client.clientId, paramsJson: JSON.stringify(params), dpopJkt: jkt, expiresAt: now + REQUEST_TTL_MS, createdAt: now }).run();
    });
    return { request_uri: REQUEST_URI_PREFIX + id, expires_in: REQUEST_TTL_MS / 1000 };
  }

  /** A live request not yet answered, for `client_id`; undefined when unknown, expired, used or for another client. */
  async find(requestUri: string, clientId: string): Promise<StoredRequest | undefined> {
    if (!requestUri.startsWith(REQUEST_URI_PREFIX)) return undefined;
    const row = await this.deps.db.orm.select().from(oauthRequests).where(eq(oauthRequests.id, requestUri.slice(REQUEST_URI_PREFIX.length))).get();
    if (!row || row.clientId !== clientId || row.codeHash !== null || row.expiresAt <= this.deps.now()) return undefined;
    return { id: row.id, clientId: row.clientId, params: JSON.parse(row.paramsJson) as RequestParams, dpopJkt: row.dpopJkt, deviceId: row.deviceId, did: row.did, expiresAt: row.expiresAt };
  }

  /** The user is on the page: 5 more minutes, at most 1 hour after PAR (11 §5.1). */
  async touch(id: string): Promise<void> {
    const now = this.deps.now();
    await this.deps.db.transaction(async (tx) => {
      const row = await tx.orm.select({ createdAt: oauthRequests.createdAt }).from(oauthRequests).where(eq(oauthRequests.id, id)).get();
      if (row) await tx.orm.update(oauthRequests).set({ expiresAt: Math.min(now + REQUEST_TTL_MS, row.createdAt + REQUEST_MAX_MS) }).where(eq(oauthRequests.id, id)).run();
    });
  }

  /** Records the account signed in on this device for this request (the consent POST must come from the same device). */
  async signedIn(id: string, deviceId: string, account: AccountRow): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      await tx.orm.update(oauthRequests).set({ did: account.did, deviceId }).where(and(eq(oauthRequests.id, id), isNull(oauthRequests.codeHash))).run();
    });
  }

  /** Allow: issues the single-use code (only its hash is kept) and returns the redirect URL with code, state and iss. */
  async allow(req: StoredRequest, ip: string): Promise<string> {
    const code = `ofc_${randomBytes(32).toString("base64url")}`;
    const now = this.deps.now();
    const issued = await this.deps.db.transaction(async (tx) => {
      // conditional: a request answers once (a double-clicked Allow issues one code)
      const row = await tx.orm.update(oauthRequests).set({ codeHash: sha256b64(code), codeExpiresAt: now + CODE_TTL_MS, expiresAt: now + CODE_TTL_MS })
        .where(and(eq(oauthRequests.id, req.id), isNull(oauthRequests.codeHash))).returning({ id: oauthRequests.id }).get();
      if (!row) return false;
      await this.deps.audit.writeInTx(tx, { action: "oauth.authorize", actorType: "account", actorDid: req.did!, targetDid: req.did!, meta: { clientId: req.clientId, scope: req.params.scope, silent: false }, ip });
      return true;
    });
    if (!issued) throw invalidRequest("This request was already answered");
    return this.redirect(req, { code });
  }

  /** Deny: the request is dropped; the app learns `access_denied`. */
  async deny(req: StoredRequest, ip: string): Promise<string> {
    await this.deps.db.transaction(async (tx) => {
      await tx.orm.delete(oauthRequests).where(eq(oauthRequests.id, req.id)).run();
      await this.deps.audit.writeInTx(tx, { action: "oauth.deny", actorType: req.did ? "account" : "anonymous", ...(req.did ? { actorDid: req.did, targetDid: req.did } : {}), meta: { clientId: req.clientId }, ip });
    });
    return this.redirect(req, { error: "access_denied", error_description: "The user denied the request" });
  }

  /** prompt=none without a signed-in device: no page, an error redirect (11 §5.3). */
  async refuseSilently(req: StoredRequest, error: "login_required" | "consent_required"): Promise<string> {
    await this.deps.db.transaction(async (tx) => {
      await tx.orm.delete(oauthRequests).where(eq(oauthRequests.id, req.id)).run();
    });
    return this.redirect(req, { error, error_description: error === "login_required" ? "Sign-in is required" : "Consent is required" });
  }

  redirect(req: StoredRequest, values: Record<string, string>): string {
    const q = new URLSearchParams({ ...values, state: req.params.state, iss: this.deps.issuer }).toString();
    const url = new URL(req.params.redirect_uri);
    if (req.params.response_mode === "fragment") url.hash = q;
    else url.search = url.search ? `${url.search}&${q}` : q;
    return url.toString();
  }
}
