// did:web communities (spec 02 §9–§10, 04 §8): fetch the published document, verify it, announce on first match.
import { and, eq, inArray } from "drizzle-orm";
import type { Config } from "../config/types.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import type { IdentityService } from "../identity/service.ts";
import type { RepoService } from "../repo/service.ts";
import { FetchRefusedError, SMALL_BODY_CAP, type OutboundFetchPolicy } from "../identity/fetch-policy.ts";
import { atprotoKeyOf, pdsEndpointOf } from "../identity/service-auth.ts";
import type { DidDocument } from "../identity/plc-client.ts";
import { communities, type CommunityRow } from "./schema.ts";
import { webDidDocument } from "./domain.ts";

/** transfer (04 §8): what the owner of a did:web community does between `transfer` and `completeImport` */
export const webTransferInstructions = (domain: string, destination: string) =>
  `Publish didDocument at https://${domain}/.well-known/did.json (it names ${destination} and its key); ` +
  "completeImport and confirmTransfer answer 409 DidNotUpdated until the published document lists the destination.";

export const VERIFY_INTERVAL_MS = 6 * 3_600_000;

const domainOf = (did: string) => decodeURIComponent(did.slice("did:web:".length));
const origin = (u: string) => {
  try {
    return new URL(u).origin;
  } catch {
    return undefined;
  }
};

/**
 * `https://<domain>/.well-known/did.json` through the outbound fetch policy (64 kB), or null when it is missing,
 * unreachable or not a document for `did`. In development (private fetch allowed) plain http is tried as well.
 */
export async function fetchWebDidDocument(policy: OutboundFetchPolicy, did: string): Promise<DidDocument | null> {
  const attempt = async (scheme: string) => {
    const res = await policy.fetchText(`${scheme}://${domainOf(did)}/.well-known/did.json`, { maxBytes: SMALL_BODY_CAP, accept: "application/json" });
    if (res.status !== 200) return null;
    const doc = JSON.parse(res.body) as DidDocument;
    return doc && typeof doc === "object" && doc.id === did ? doc : null;
  };
  try {
    return await attempt("https");
  } catch (err) {
    if (!policy.allowPrivate || !(err instanceof FetchRefusedError)) return null;
    return attempt("http").catch(() => null);
  }
}

/** The document lists `signingDidKey` as `#atproto` and `endpoint` (same origin) as `#atproto_pds`. */
export function documentLists(doc: DidDocument | null, signingDidKey: string, endpoint: string): boolean {
  if (!doc) return false;
  const ep = pdsEndpointOf(doc);
  return atprotoKeyOf(doc) === signingDidKey && !!ep && origin(ep) === origin(endpoint);
}

export interface DidWebDeps {
  config: Config;
  db: Database;
  identity: IdentityService;
  repo: RepoService;
  fetchPolicy: OutboundFetchPolicy;
  logger: Logger;
  handleOf: (row: Pick<CommunityRow, "name">) => string;
}

export class DidWebVerifier {
  constructor(private readonly deps: DidWebDeps) {}

  /** The document we would publish for a hosted did:web community (served by Host on /.well-known/did.json). */
  async documentFor(row: CommunityRow) {
    const key = await this.deps.identity.signingDidKey(row.did);
    return webDidDocument(row.did, this.deps.handleOf(row), key, this.deps.config.serviceUrl);
  }

  /** The hosted did:web community whose domain is `host` (port stripped), in a status that still serves its document. */
  async hostedByDomain(host: string | null): Promise<CommunityRow | undefined> {
    const domain = host?.toLowerCase().replace(/:\d+$/, "");
    if (!domain) return undefined;
    return await this.deps.db.orm.select().from(communities)
      .where(and(eq(communities.domain, domain), eq(communities.didMethod, "web"), inArray(communities.status, ["active", "suspended"]))).get();
  }

  /**
   * Fetches the published document; on the first match sets `identityVerified` and announces the community
   * (`#identity`, `#account{active:true}`, `#sync`) if it is public. Returns whether the community is verified.
   */
  async verify(did: string): Promise<boolean> {
    const { db, repo, logger } = this.deps;
    const row = await db.orm.select().from(communities).where(eq(communities.did, did)).get();
    if (!row || row.didMethod !== "web") return false;
    if (row.identityVerified) return true;
    const key = await this.deps.identity.signingDidKey(did);
    const doc = await fetchWebDidDocument(this.deps.fetchPolicy, did);
    if (!documentLists(doc, key, this.deps.config.serviceUrl)) return false;
    await db.transaction(async (tx) => {
      const fresh = await tx.orm.select().from(communities).where(eq(communities.did, did)).get();
      if (!fresh || fresh.identityVerified) return;
      await tx.orm.update(communities).set({ identityVerified: true }).where(eq(communities.did, did)).run();
      // silenced() reads identity_verified inside this transaction, so the announcement goes out
      if (fresh.visibility === "public" && (fresh.status === "active" || fresh.status === "suspended")) await repo.announceInTx(tx, did, this.deps.handleOf(fresh));
    }, { lockKey: did });
    logger.info("did:web community identity verified", { did });
    return true;
  }

  /** The 6-hourly job: every unverified did:web community that is live. */
  async verifyPending(): Promise<void> {
    const rows = await this.deps.db.orm.select({ did: communities.did }).from(communities)
      .where(and(eq(communities.didMethod, "web"), eq(communities.identityVerified, false), inArray(communities.status, ["active", "suspended"]))).all();
    for (const r of rows) {
      await this.verify(r.did).catch((err) => this.deps.logger.warn("did:web verification failed", { did: r.did, err: String(err) }));
    }
  }

  /** A fresh fetch of the published document lists `signingDidKey` and `endpoint` (transfers, 04 §8). */
  async publishedLists(did: string, signingDidKey: string, endpoint: string): Promise<boolean> {
    return documentLists(await fetchWebDidDocument(this.deps.fetchPolicy, did), signingDidKey, endpoint);
  }
}
