// getFeed (10 §1.6): the feed generator's DID from the `did` field of the generator record the feed URI names, read
// locally when hosted here, else with com.atproto.repo.getRecord on the AppView; cached 10 min.
import type { OutboundFetchPolicy } from "../identity/fetch-policy.ts";
import { TtlLruCache } from "../identity/ttl-cache.ts";
import type { ProxyTarget } from "./target.ts";

const FEED_URI = /^at:\/\/(did:[a-z]+:[A-Za-z0-9._:%-]+)\/app\.bsky\.feed\.generator\/([A-Za-z0-9._:~-]{1,512})$/;
const GENERATOR = "app.bsky.feed.generator";
const TTL_MS = 10 * 60_000;
const RECORD_CAP = 64 * 1024;

export interface FeedGeneratorDeps {
  /** the record's value when the repo is hosted here, else undefined */
  localRecord: (did: string, collection: string, rkey: string) => Promise<unknown>;
  fetchPolicy: Pick<OutboundFetchPolicy, "open">;
  headersTimeoutMs: number;
  now: () => number;
}

const didField = (value: unknown): string | undefined => {
  const did = (value as { did?: unknown } | undefined)?.did;
  return typeof did === "string" && /^did:(plc|web):/.test(did) ? did : undefined;
};

export class FeedGeneratorDids {
  private readonly cache: TtlLruCache<string, string>;

  constructor(private readonly deps: FeedGeneratorDeps) {
    this.cache = new TtlLruCache(1_000, TTL_MS, deps.now);
  }

  /** The generator DID, or undefined when the URI is not a generator's or its record has no DID. */
  async didOf(feedUri: string, appView: ProxyTarget): Promise<string | undefined> {
    const m = FEED_URI.exec(feedUri);
    if (!m) return undefined;
    const cached = this.cache.get(feedUri);
    if (cached) return cached;
    const [, repo, rkey] = m as unknown as [string, string, string];
    const did = didField(await this.deps.localRecord(repo, GENERATOR, rkey)) ?? (await this.remote(repo, rkey, appView));
    if (did) this.cache.set(feedUri, did);
    return did;
  }

  private async remote(repo: string, rkey: string, appView: ProxyTarget): Promise<string | undefined> {
    const q = new URLSearchParams({ repo, collection: GENERATOR, rkey });
    try {
      const { res, abort } = await this.deps.fetchPolicy.open(`${appView.origin}/xrpc/com.atproto.repo.getRecord?${q}`, {
        method: "GET",
        headers: { accept: "application/json" },
        headersTimeoutMs: this.deps.headersTimeoutMs,
        trusted: appView.trusted,
      });
      const declared = Number(res.headers.get("content-length") ?? "0");
      if (res.status !== 200 || declared > RECORD_CAP) {
        abort();
        return undefined;
      }
      // the record is small: the whole body within the headers budget again, or the lookup fails
      const timer = setTimeout(abort, this.deps.headersTimeoutMs);
      const text = await res.text().finally(() => clearTimeout(timer));
      if (text.length > RECORD_CAP) return undefined;
      return didField((JSON.parse(text) as { value?: unknown }).value);
    } catch {
      return undefined;
    }
  }
}
