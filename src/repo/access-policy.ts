// What the repo layer asks about repos hosted here whose rules live above it (community repos, 03 §3 and §9).
import type { AuthResult } from "../caller.ts";

/** An answer that may need the database (a Promise) or may not. */
type MaybePromise<T> = T | Promise<T>;

/** What getRepoStatus and listRepos say about a repo (03 §9). */
export interface RepoActivity {
  active: boolean;
  status?: "deactivated" | "suspended" | "takendown";
}

/**
 * Implemented by the community domain and plugged in at the composition root (src/services.ts), so the repo
 * layer never imports it. Every method answers only for repos the policy owns; `undefined` means "not mine".
 */
export interface RepoAccessPolicy {
  /** the repo named by `identifier` (DID or handle), when the policy owns it */
  find(identifier: string): MaybePromise<{ did: string; handle: string } | undefined>;
  /** throws the §9 refusal (RepoTakendown, RepoDeactivated…) when `auth` may not read `did` */
  assertReadable(did: string, auth: AuthResult): MaybePromise<void>;
  /** throws when `auth` may not write (`needs`) the repo `did` through the generic com.atproto.repo methods */
  assertWritable(did: string, auth: AuthResult, needs: ReadonlyArray<"write" | "delete">): MaybePromise<void>;
  /** getRepoStatus: the §9 activity, null when the repo does not exist publicly */
  activityOf(did: string): MaybePromise<RepoActivity | null | undefined>;
  /** listRepos: the activity of each of `dids` the policy owns and lists (unlisted and foreign DIDs are absent) */
  listed(dids: readonly string[]): MaybePromise<Map<string, RepoActivity>>;
}

/** The accounts' side, also plugged in at the root: the repo layer knows account statuses only through this. */
export interface AccountRepoLookup {
  lookup(identifier: string): Promise<{ did: string; handle: string; status: string } | undefined>;
  /** status of each of `dids` that is an account */
  statuses(dids: readonly string[]): MaybePromise<Map<string, string>>;
}
