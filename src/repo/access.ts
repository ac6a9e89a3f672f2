// Who may read or write a repo (spec 03 §3 authorisation, §9 availability), for the com.atproto.repo/sync handlers.
import { DomainError, forbidden, invalidRequest } from "../errors.ts";
import type { AuthResult } from "../caller.ts";
import type { AccountRepoLookup, RepoAccessPolicy, RepoActivity } from "./access-policy.ts";
import { repoRootsAfter } from "./sync-reads.ts";
import type { Database } from "../db/database.ts";

const STAFF = ["admin", "moderator", "auditor"];

export const repoNotFound = (message = "Could not find repo") => new DomainError("invalid", "RepoNotFound", message);

/** §9 table: what getRepoStatus and listRepos say for an account status; null → RepoNotFound / not listed. */
export function repoActivity(status: string): RepoActivity | null {
  switch (status) {
    case "approved":
      return { active: true };
    case "deactivated":
    case "disabled":
      return { active: false, status: "deactivated" };
    case "suspended":
      return { active: false, status: "suspended" };
    case "takendown":
      return { active: false, status: "takendown" };
    default:
      return null;
  }
}

export interface RepoAccessDeps {
  db: Database;
  head(did: string): Promise<{ rev: string } | null>;
  accounts: AccountRepoLookup;
  /** the rules of non-account repos (communities), from the composition root */
  policy: RepoAccessPolicy;
}

export interface ListedRepo extends RepoActivity {
  did: string;
  head: string;
  rev: string;
}

export class RepoAccess {
  constructor(private readonly deps: RepoAccessDeps) {}

  /** The target of a write: the caller's own, hosted repo (400 when not hosted here, 403 when someone else's). */
  async writable(identifier: string, auth: AuthResult, needs: ReadonlyArray<"write" | "delete"> = ["write"]): Promise<string> {
    const { head, accounts, policy } = this.deps;
    // The caller's own DID (the usual case): authentication has just read this account (it exists and is not
    // `creating`), so the lookup query would return exactly auth.did.
    if (auth.kind === "account" && identifier === auth.did) {
      if (!(await head(auth.did))) throw invalidRequest(`Repo not hosted here: ${identifier}`);
      return auth.did;
    }
    const acct = await accounts.lookup(identifier);
    const other = acct ? undefined : await policy.find(identifier);
    if (other && (await head(other.did))) {
      await policy.assertWritable(other.did, auth, needs);
      return other.did;
    }
    if (!acct || !(await head(acct.did))) throw invalidRequest(`Repo not hosted here: ${identifier}`);
    if (auth.kind !== "account" || auth.did !== acct.did) throw forbidden("You may only write to your own repo");
    return acct.did;
  }

  /**
   * The target of a read, after the §9 availability rules. The account itself and PDS staff bypass the status
   * checks (the firehose never does).
   */
  async readable(identifier: string, auth: AuthResult): Promise<{ did: string; handle: string }> {
    const { head, accounts, policy } = this.deps;
    const acct = await accounts.lookup(identifier);
    const other = acct ? undefined : await policy.find(identifier);
    if (other && (await head(other.did))) {
      await policy.assertReadable(other.did, auth);
      return other;
    }
    if (!acct || !(await head(acct.did))) throw repoNotFound(`Could not find repo: ${identifier}`);
    const bypass = auth.kind === "account" && (auth.did === acct.did || auth.roles.some((r) => STAFF.includes(r)));
    if (!bypass) {
      switch (acct.status) {
        case "approved":
          break;
        case "deactivated":
        case "disabled":
          throw new DomainError("invalid", "RepoDeactivated", "Repo has been deactivated");
        case "suspended":
          throw new DomainError("invalid", "RepoSuspended", "Repo has been suspended");
        case "takendown":
          throw new DomainError("invalid", "RepoTakendown", "Repo has been taken down");
        default:
          throw repoNotFound(`Could not find repo: ${identifier}`);
      }
    }
    return { did: acct.did, handle: acct.handle };
  }

  /** com.atproto.sync.getRepoStatus: the §9 activity and, when active, the rev. */
  async status(did: string): Promise<RepoActivity & { did: string; rev?: string }> {
    const { head, accounts, policy } = this.deps;
    const acct = await accounts.lookup(did);
    const target = acct ? acct.did : (await policy.find(did))?.did;
    const h = target ? await head(target) : null;
    const activity = !target || !h ? null : acct ? repoActivity(acct.status) : await policy.activityOf(target);
    if (!target || !h || !activity) throw repoNotFound(`Could not find repo for DID: ${did}`);
    return { did: target, ...activity, ...(activity.active ? { rev: h.rev } : {}) };
  }

  /**
   * Hosted repos in hosting order (the repo_roots rowid: the order repos were created here), skipping those that
   * do not exist publicly. The cursor is that rowid, so pages never skip or repeat a repo while others are added.
   */
  async listHosted(opts: { limit: number; cursor?: string }): Promise<{ repos: ListedRepo[]; cursor?: string }> {
    const { db, accounts, policy } = this.deps;
    const start = opts.cursor === undefined ? 0 : Number(opts.cursor);
    let after = Number.isSafeInteger(start) && start > 0 ? start : 0;
    const found: Array<ListedRepo & { pos: number }> = [];
    // one more than the page, to know whether a cursor is due; hidden repos are skipped batch by batch
    const want = opts.limit + 1;
    for (;;) {
      const batch = await repoRootsAfter(db, after, Math.max(want, 100));
      if (batch.length === 0) break;
      const dids = batch.map((r) => r.did);
      const statuses = await accounts.statuses(dids);
      const others = await policy.listed(dids.filter((d) => !statuses.has(d)));
      for (const r of batch) {
        const status = statuses.get(r.did);
        const activity = status !== undefined ? repoActivity(status) : others.get(r.did);
        if (activity) found.push({ pos: r.pos, did: r.did, head: r.head, rev: r.rev, ...activity });
        if (found.length === want) break;
      }
      if (found.length === want) break;
      after = batch[batch.length - 1]!.pos;
    }
    const page = found.slice(0, opts.limit);
    return {
      repos: page.map(({ pos: _pos, ...repo }) => repo),
      ...(found.length > opts.limit ? { cursor: String(page[page.length - 1]!.pos) } : {}),
    };
  }
}
