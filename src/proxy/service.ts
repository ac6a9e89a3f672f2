// ProxyService (10 §1): signs a service JWT as the caller, forwards method, query, body and the listed headers to the
// target through the fetch policy, and relays the answer under the §1.5 limits. Routing and auth are the XRPC layer's.
import type { Keypair } from "@atproto/crypto";
import type { ProxyConfig } from "../config/types.ts";
import { DomainError, invalidRequest } from "../errors.ts";
import { FetchRefusedError, type OutboundFetchPolicy } from "../identity/fetch-policy.ts";
import { mintServiceAuth } from "../identity/service-auth.ts";
import type { Logger } from "../util/logger.ts";
import { relayResponse, unreachable } from "./relay.ts";
import type { ProxyTarget, ProxyTargetResolver } from "./target.ts";
import type { FeedGeneratorDids } from "./feed-generator.ts";

/** Request headers forwarded as received (§1.3); everything else (Authorization, DPoP, Cookie, X-Forwarded-*) is dropped. */
const FORWARDED = ["accept", "accept-language", "atproto-accept-labelers", "x-bsky-topics"];
const BODY_HEADERS = ["content-type", "content-encoding"];
const JWT_TTL_SEC = 60;
const GET_FEED = "app.bsky.feed.getFeed";
const PUSH = new Set(["app.bsky.notification.registerPush", "app.bsky.notification.unregisterPush"]);

export interface ProxyServiceDeps {
  proxy: ProxyConfig;
  fetchPolicy: Pick<OutboundFetchPolicy, "open">;
  resolver: ProxyTargetResolver;
  feedGenerators: FeedGeneratorDids;
  signingKeypair: (did: string) => Promise<Keypair>;
  now: () => number;
  logger: Logger;
}

export interface ProxyCall {
  nsid: string;
  method: "GET" | "POST";
  /** the original query string, byte for byte, with its leading `?` (or "") */
  search: string;
  headers: Headers;
  body: Uint8Array | undefined;
  callerDid: string;
  /** the service the header named, or the default route's configured service */
  service: { did: string; serviceId: string };
  requestId: string;
}

export class ProxyService {
  constructor(private readonly deps: ProxyServiceDeps) {}

  /** `did#serviceId` for the request log line (§1.5). */
  static label(call: Pick<ProxyCall, "service">): string {
    return `${call.service.did}#${call.service.serviceId}`;
  }

  async forward(call: ProxyCall): Promise<Response> {
    const { deps } = this;
    const { target, aud, lxm } = await this.plan(call);
    const nowSec = Math.floor(deps.now() / 1000);
    const keypair = await deps.signingKeypair(call.callerDid);
    const jwt = await mintServiceAuth(keypair, { iss: call.callerDid, aud, lxm, exp: nowSec + JWT_TTL_SEC }, nowSec);

    const headers: Record<string, string> = { "accept-encoding": call.headers.get("accept-encoding") ?? "identity", authorization: `Bearer ${jwt}` };
    for (const name of [...FORWARDED, ...(call.body ? BODY_HEADERS : [])]) {
      const v = call.headers.get(name);
      if (v !== null) headers[name] = v;
    }
    const log = deps.logger.child({ requestId: call.requestId, proxyTo: ProxyService.label(call), nsid: call.nsid });
    let opened: Awaited<ReturnType<OutboundFetchPolicy["open"]>>;
    try {
      opened = await deps.fetchPolicy.open(`${target.origin}/xrpc/${call.nsid}${call.search}`, {
        method: call.method,
        headers,
        ...(call.body ? { body: call.body } : {}),
        headersTimeoutMs: deps.proxy.limits.headersTimeoutMs,
        trusted: target.trusted,
      });
    } catch (err) {
      // the reason (refused address, timeout, redirect) is for the operator only
      log.warn("proxy upstream unreachable", { reason: err instanceof FetchRefusedError ? err.message : String(err) });
      throw unreachable();
    }
    return relayResponse(opened.res, deps.proxy.limits, opened.abort, (reason) => log.warn("proxy response cut", { reason }));
  }

  /** Target, aud and lxm, with the §1.6 special cases (feed generators, push registration). */
  private async plan(call: ProxyCall): Promise<{ target: ProxyTarget; aud: string; lxm: string }> {
    const { proxy } = this.deps;
    const { did, serviceId } = call.service;
    const bareOrFragment = (d: string, id: string) => (proxy.audFragment ? `${d}#${id}` : d);
    if (PUSH.has(call.nsid)) {
      const serviceDid = pushServiceDid(call.body);
      const target: ProxyTarget =
        proxy.appView && serviceDid === proxy.appView.did
          ? { did: serviceDid, serviceId: "bsky_notif", origin: proxy.appView.url, trusted: true }
          : await this.deps.resolver.resolve(serviceDid, "bsky_notif");
      return { target, aud: serviceDid, lxm: call.nsid };
    }
    const target = await this.deps.resolver.resolve(did, serviceId);
    if (call.nsid === GET_FEED) {
      const feed = new URLSearchParams(call.search).get("feed");
      const generator = feed ? await this.deps.feedGenerators.didOf(feed, target) : undefined;
      if (!generator) throw new DomainError("invalid", "UnknownFeed", "could not resolve feed did");
      return { target, aud: generator, lxm: "app.bsky.feed.getFeedSkeleton" };
    }
    return { target, aud: bareOrFragment(did, serviceId), lxm: call.nsid };
  }
}

function pushServiceDid(body: Uint8Array | undefined): string {
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(new TextDecoder().decode(body)) : undefined;
  } catch {
    parsed = undefined;
  }
  const did = (parsed as { serviceDid?: unknown } | undefined)?.serviceDid;
  if (typeof did !== "string" || !/^did:(plc|web):/.test(did)) throw invalidRequest("Input must have the property \"serviceDid\" (a DID)");
  return did;
}

