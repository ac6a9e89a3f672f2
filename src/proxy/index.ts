// Composition of service proxying (10 §1): the target resolver, feed-generator lookup and ProxyService, from narrow deps.
import type { Keypair } from "@atproto/crypto";
import type { Config } from "../config/types.ts";
import type { OutboundFetchPolicy } from "../identity/fetch-policy.ts";
import type { DidDocument } from "../identity/plc-client.ts";
import { fetchWebDidDocument } from "../community/did-web.ts";
import type { Logger } from "../util/logger.ts";
import { FeedGeneratorDids } from "./feed-generator.ts";
import { ProxyService } from "./service.ts";
import { ProxyTargetResolver } from "./target.ts";

export { ProxyService } from "./service.ts";

export interface ProxyBuildDeps {
  config: Pick<Config, "proxy" | "allowPrivateNetworkFetch">;
  fetchPolicy: OutboundFetchPolicy;
  plcDocument: (did: string) => Promise<DidDocument | null>;
  localRecord: (did: string, collection: string, rkey: string) => Promise<unknown>;
  signingKeypair: (did: string) => Promise<Keypair>;
  now: () => number;
  logger: Logger;
}

export function buildProxyService(deps: ProxyBuildDeps): ProxyService {
  const { config, fetchPolicy, now } = deps;
  const resolver = new ProxyTargetResolver({
    proxy: config.proxy,
    allowPrivate: config.allowPrivateNetworkFetch,
    plcDocument: deps.plcDocument,
    webDocument: (did) => fetchWebDidDocument(fetchPolicy, did),
    now,
  });
  const feedGenerators = new FeedGeneratorDids({ localRecord: deps.localRecord, fetchPolicy, headersTimeoutMs: config.proxy.limits.headersTimeoutMs, now });
  return new ProxyService({ proxy: config.proxy, fetchPolicy, resolver, feedGenerators, signingKeypair: deps.signingKeypair, now, logger: deps.logger });
}
