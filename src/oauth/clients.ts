// OAuth clients (11 §3): the loopback development client and discoverable clients whose metadata is fetched through the SSRF-guarded policy.
import { atprotoLoopbackClientMetadata, isOAuthClientIdDiscoverable, isOAuthClientIdLoopback, oauthClientMetadataSchema } from "@atproto/oauth-types";
import type { OutboundFetchPolicy } from "../identity/fetch-policy.ts";
import { TtlLruCache } from "../identity/ttl-cache.ts";
import { invalidClientMetadata, OAuthError } from "./errors.ts";

const METADATA_MAX_BYTES = 64 * 1024;
const CACHE_OK_MS = 10 * 60_000;
const CACHE_FAIL_MS = 60_000;

export interface OAuthClient {
  clientId: string;
  loopback: boolean;
  redirectUris: string[];
  /** the scope values the metadata declares */
  scopes: Set<string>;
  clientName?: string;
}

// the @atproto/oauth-types predicates throw on some malformed inputs (e.g. other schemes): those are simply not client ids
const safely = (f: (id: string) => boolean) => (id: string): boolean => {
  try {
    return f(id);
  } catch {
    return false;
  }
};
const isLoopback = safely(isOAuthClientIdLoopback);
const isDiscoverable = safely(isOAuthClientIdDiscoverable);

export class ClientResolver {
  private readonly cache = new TtlLruCache<string, { client?: OAuthClient; error?: OAuthError }>(1000, CACHE_OK_MS);

  constructor(private readonly deps: { fetchPolicy: Pick<OutboundFetchPolicy, "fetchText">; dev: boolean; loopbackAllowed: boolean }) {}

  async resolve(clientId: string): Promise<OAuthClient> {
    if (typeof clientId !== "string" || clientId === "") throw invalidClientMetadata("Invalid client ID");
    if (isLoopback(clientId)) {
      if (!this.deps.loopbackAllowed) throw invalidClientMetadata("Loopback clients are not allowed");
      let meta: ReturnType<typeof atprotoLoopbackClientMetadata>;
      try {
        meta = atprotoLoopbackClientMetadata(clientId);
      } catch (err) {
        throw invalidClientMetadata(`Invalid loopback client ID: ${(err as Error).message.split("\n")[0]}`);
      }
      return { clientId, loopback: true, redirectUris: [...meta.redirect_uris], scopes: new Set(meta.scope.split(" ")), clientName: "Development client" };
    }
    if (!isDiscoverable(clientId)) throw invalidClientMetadata("Invalid client ID");
    const hit = this.cache.get(clientId);
    if (hit) {
      if (hit.client) return hit.client;
      throw hit.error!;
    }
    try {
      const client = await this.fetchMetadata(clientId);
      this.cache.set(clientId, { client });
      return client;
    } catch (err) {
      const error = err instanceof OAuthError ? err : invalidClientMetadata(`Unable to obtain client metadata for "${clientId}"`);
      this.cache.set(clientId, { error }, CACHE_FAIL_MS);
      throw error;
    }
  }

  private async fetchMetadata(clientId: string): Promise<OAuthClient> {
    const unable = () => invalidClientMetadata(`Unable to obtain client metadata for "${clientId}"`);
    let res: { status: number; body: string } | undefined;
    try {
      res = await this.deps.fetchPolicy.fetchText(clientId, { maxBytes: METADATA_MAX_BYTES, accept: "application/json" });
    } catch {
      // --dev: https first, then http (11 §3), so tests can serve a metadata document on loopback
      if (!this.deps.dev) throw unable();
      res = await this.deps.fetchPolicy.fetchText(clientId.replace(/^https:/, "http:"), { maxBytes: METADATA_MAX_BYTES, accept: "application/json" }).catch(() => undefined);
    }
    if (!res || res.status !== 200) throw unable();
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch {
      throw unable();
    }
    const parsed = oauthClientMetadataSchema.safeParse(json);
    if (!parsed.success) throw invalidClientMetadata(`Invalid client metadata: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    const m = parsed.data;
    if (m.client_id !== clientId) throw invalidClientMetadata("client_id does not match the metadata URL");
    if (!m.grant_types.includes("authorization_code")) throw invalidClientMetadata('grant_types must include "authorization_code"');
    if (!m.response_types.includes("code")) throw invalidClientMetadata('response_types must include "code"');
    if (m.dpop_bound_access_tokens !== true) throw invalidClientMetadata('"dpop_bound_access_tokens" must be true');
    const scopes = (m.scope ?? "").split(" ").filter(Boolean);
    if (!scopes.includes("atproto")) throw invalidClientMetadata('scope must include "atproto"');
    if (new Set(scopes).size !== scopes.length) throw invalidClientMetadata("scope has duplicate values");
    // Confidential clients (private_key_jwt) are not supported by this slice: refused rather than treated as public.
    if (m.token_endpoint_auth_method !== undefined && m.token_endpoint_auth_method !== "none") throw invalidClientMetadata("Only public clients (token_endpoint_auth_method none) are supported");
    const host = new URL(clientId).hostname;
    for (const uri of m.redirect_uris) {
      const u = new URL(uri);
      const reversed = host.split(".").reverse().join(".");
      const ok = (m.application_type ?? "web") === "native"
        ? (u.protocol === `${reversed}:` && /^[^:]+:\/[^/]/.test(uri)) || (u.protocol === "https:" && u.hostname === host)
        : u.protocol === "https:";
      if (!ok) throw invalidClientMetadata(`Invalid redirect_uri ${uri}`);
    }
    for (const f of ["default_max_age", "userinfo_signed_response_alg", "userinfo_encrypted_response_alg", "id_token_signed_response_alg"] as const) {
      if ((m as Record<string, unknown>)[f] !== undefined) throw invalidClientMetadata(`${f} is not supported`);
    }
    return { clientId, loopback: false, redirectUris: [...m.redirect_uris], scopes: new Set(scopes) };
  }
}

/** 11 §3: a loopback client's redirects match on scheme, host and path (the port is ignored); others exactly. */
export function redirectAllowed(client: OAuthClient, uri: string): boolean {
  if (!client.loopback) return client.redirectUris.includes(uri);
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  return client.redirectUris.some((r) => {
    const g = new URL(r);
    return g.protocol === u.protocol && g.hostname === u.hostname && g.pathname === u.pathname && g.search === u.search && !u.username && !u.hash;
  });
}
