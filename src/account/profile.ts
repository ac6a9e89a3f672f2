// ProfileService (spec 06 §5): updateProfile's standard mode (merged into app.bsky.actor.profile/self) and custom
// `*.actor.profile` records, and getProfile's read of both.
import { ensureValidNsid } from "@atproto/syntax";
import type { RepoService, WriteResultItem } from "../repo/index.ts";
import { normalizeNsidAuthority } from "../repo/records.ts";
import { DomainError, invalidRequest } from "../errors.ts";

export const BSKY_PROFILE = "app.bsky.actor.profile";
export const MAX_CUSTOM_PROFILE_BYTES = 64 * 1024;
const STANDARD_FIELDS = ["displayName", "description", "avatar", "banner"] as const;
/**
 * How often a standard-mode merge is retried when another update of the same profile committed in between. Each
 * round of concurrent updates lets one through, so N at once need up to N attempts (async reads interleave freely).
 */
const MERGE_ATTEMPTS = 10;

export const profileNotFound = () => new DomainError("notFound", "ProfileNotFound", "Profile not found");

export interface ProfileUpdate {
  displayName?: string | null;
  description?: string | null;
  avatar?: unknown;
  banner?: unknown;
  collection?: string;
  record?: unknown;
}

export interface ProfileWriteResult {
  uri: string;
  cid: string;
  validationStatus: string;
}

export class ProfileService {
  constructor(private readonly deps: { repo: Pick<RepoService, "write" | "getRecord" | "collections"> }) {}

  async update(did: string, input: ProfileUpdate): Promise<ProfileWriteResult> {
    const standard = STANDARD_FIELDS.filter((f) => input[f] !== undefined);
    const custom = input.collection !== undefined || input.record !== undefined;
    if (custom && standard.length) throw invalidRequest("Give either profile fields or collection and record, not both");
    if (input.collection !== undefined && input.record === undefined) throw invalidRequest("collection needs a record");
    if (input.record !== undefined && input.collection === undefined) throw invalidRequest("record needs a collection");
    if (custom) return this.writeCustom(did, input.collection!, input.record);
    if (!standard.length) throw invalidRequest("Give at least one of displayName, description, avatar, banner");
    return this.mergeStandard(did, input, standard);
  }

  private async writeCustom(did: string, collection: string, record: unknown): Promise<ProfileWriteResult> {
    try {
      ensureValidNsid(collection);
    } catch {
      throw invalidRequest(`collection must be a valid NSID: ${collection}`);
    }
    const nsid = normalizeNsidAuthority(collection);
    if (!nsid.endsWith(".actor.profile")) throw invalidRequest("collection must end in .actor.profile");
    if (nsid === BSKY_PROFILE) throw invalidRequest("app.bsky.actor.profile is written by standard mode (displayName, description, avatar, banner)");
    if (nsid.startsWith("net.openfederation.")) throw invalidRequest("net.openfederation.* collections are managed by the server");
    if (!record || typeof record !== "object" || Array.isArray(record)) throw invalidRequest("record must be an object");
    // measured as the JSON the client sent (UTF-8 bytes), see docs/profiles.md
    const bytes = new TextEncoder().encode(JSON.stringify(record)).byteLength;
    if (bytes > MAX_CUSTOM_PROFILE_BYTES) throw invalidRequest(`record is ${bytes} bytes; a custom profile may be at most ${MAX_CUSTOM_PROFILE_BYTES} bytes (64 kB)`);
    const res = await this.deps.repo.write(did, [{ action: "put", collection, rkey: "self", record: { ...record, $type: collection } }]);
    return view(res.results[0]!);
  }

  private async mergeStandard(did: string, input: ProfileUpdate, fields: ReadonlyArray<(typeof STANDARD_FIELDS)[number]>): Promise<ProfileWriteResult> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.deps.repo.getRecord(did, BSKY_PROFILE, "self");
      const merged: Record<string, unknown> = { ...((current?.value as Record<string, unknown> | undefined) ?? {}), $type: BSKY_PROFILE };
      for (const f of fields) {
        if (input[f] === null) delete merged[f];
        else merged[f] = input[f];
      }
      try {
        // Read-merge-write: swapRecord pins the version read above, so two concurrent updates of different
        // fields cannot silently drop each other's change; the loser re-reads and merges again.
        const res = await this.deps.repo.write(did, [{ action: "put", collection: BSKY_PROFILE, rkey: "self", record: merged, swapRecord: current?.cid ?? null }], { validate: true });
        return view(res.results[0]!);
      } catch (err) {
        if (err instanceof DomainError && err.error === "InvalidSwap" && attempt < MERGE_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  /** The Bluesky profile and every `<collection>/self` of a `*.actor.profile` collection; the caller checked the account is readable. */
  async get(did: string): Promise<{ profile?: unknown; customProfiles?: Record<string, unknown> }> {
    const profile = (await this.deps.repo.getRecord(did, BSKY_PROFILE, "self"))?.value;
    const customProfiles: Record<string, unknown> = {};
    for (const c of await this.deps.repo.collections(did)) {
      if (c === BSKY_PROFILE || !normalizeNsidAuthority(c).endsWith(".actor.profile")) continue;
      const rec = await this.deps.repo.getRecord(did, c, "self");
      if (rec) customProfiles[c] = rec.value;
    }
    return { ...(profile !== undefined ? { profile } : {}), ...(Object.keys(customProfiles).length ? { customProfiles } : {}) };
  }
}

function view(r: WriteResultItem): ProfileWriteResult {
  const w = r as { uri: string; cid: string; validationStatus: string };
  return { uri: w.uri, cid: w.cid, validationStatus: w.validationStatus };
}
