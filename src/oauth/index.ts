// The OAuth authorization server façade (spec 11): keys, DPoP, clients, authorization requests and tokens, built once.
import type { SingleUseMarks } from "../ratelimit/store.ts";
import type { Config } from "../config/types.ts";
import type { Database } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { KeyVault } from "../identity/keys.ts";
import type { OutboundFetchPolicy } from "../identity/fetch-policy.ts";
import type { LoginService } from "../account/login.ts";
import type { AccountRow } from "../account/views.ts";
import { ClientResolver } from "./clients.ts";
import { DpopVerifier } from "./dpop.ts";
import { loadOAuthKeys, type OAuthKeys } from "./keys.ts";
import { AuthorizationRequests } from "./requests.ts";
import { OAuthTokens, sweepOAuth } from "./tokens.ts";
import { OAuthUserSessions } from "./user-sessions.ts";

export interface OAuthServer {
  issuer: string;
  keys: OAuthKeys;
  dpop: DpopVerifier;
  clients: ClientResolver;
  requests: AuthorizationRequests;
  tokens: OAuthTokens;
  login: Pick<LoginService, "verifyForOAuth">;
  account: (did: string) => Promise<AccountRow | undefined>;
  handleOf: (row: AccountRow) => string;
  /** the holder's listOAuthSessions / revokeOAuthSession (11 §9.2) */
  sessions: OAuthUserSessions;
  /** the hourly job's body (11 §10) */
  sweep: () => Promise<void>;
}

export async function buildOAuthServer(deps: {
  config: Config; db: Database; keys: Pick<KeyVault, "encrypt" | "decrypt">; fetchPolicy: Pick<OutboundFetchPolicy, "fetchText">; audit: AuditLog;
  login: Pick<LoginService, "verifyForOAuth">; accounts: { getRow(did: string): Promise<AccountRow | undefined>; handleOf(row: AccountRow): string }; now: () => number;
  /** the DPoP replay cache (shared by every process in cluster mode) */
  marks?: SingleUseMarks;
}): Promise<OAuthServer> {
  const { config, db, audit, now } = deps;
  // the issuer is the origin of PDS_SERVICE_URL (11 §1), never the Host header
  const issuer = new URL(config.serviceUrl).origin;
  const keys = await loadOAuthKeys({ db, keys: deps.keys, serviceDid: config.serviceDid, now });
  const dpop = new DpopVerifier({ issuer, nonceSecret: keys.nonceSecret, now, marks: deps.marks });
  const clients = new ClientResolver({ fetchPolicy: deps.fetchPolicy, dev: config.dev, loopbackAllowed: config.oauthLoopbackClients ?? true });
  const account = async (did: string) => deps.accounts.getRow(did);
  return {
    issuer, keys, dpop, clients, login: deps.login, account, handleOf: (row) => deps.accounts.handleOf(row), sweep: () => sweepOAuth(db, now()),
    sessions: new OAuthUserSessions({ db, audit, now }),
    requests: new AuthorizationRequests({ db, clients, audit, issuer, now }),
    tokens: new OAuthTokens({ db, keys, clients, audit, issuer, serviceDid: config.serviceDid, account, now, ...(config.oauthAccessTokenTtlMs ? { accessTtlMs: config.oauthAccessTokenTtlMs } : {}) }),
  };
}
