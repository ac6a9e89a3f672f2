// Who may read or write a repo (spec 03 §3 authorisation, §9 availability), for the com.atproto.repo/sync handlers.
import type { AppContext } from "../context.ts";
import { DomainError, forbidden, invalidRequest } from "../errors.ts";
import type { AuthResult } from "../caller.ts";
import { assertCommunityReadable, assertCommunityWritable } from "../community/repo-access.ts";

const STAFF = ["admin", "moderator", "auditor"];

export const repoNotFound = (message = "Could not find repo") => new DomainError("invalid", "RepoNotFound", message);

/** The target of a write: the caller's own, hosted repo (400 when not hosted here, 403 when someone else's). */
export async function writableRepo(ctx: AppContext, identifier: string, auth: AuthResult, needs: ReadonlyArray<"write" | "delete"> = ["write"]): Promise<string> {
  // The caller's own DID (the usual case): authentication has just read this account (it exists and is not
  // `creating`), so the lookup query would return exactly auth.did.
  if (auth.kind === "account" && identifier === auth.did) {
    if (!ctx.services.repo.head(auth.did)) throw invalidRequest(`Repo not hosted here: ${identifier}`);
    return auth.did;
  }
  const acct = await ctx.services.accounts.lookup(identifier);
  // community repos (03 §3): members with community.application.write/.delete
  const community = acct ? undefined : ctx.services.communities.find(identifier);
  if (community && ctx.services.repo.head(community.did)) {
    assertCommunityWritable(ctx, community, auth, needs);
    return community.did;
  }
  if (!acct || !ctx.services.repo.head(acct.did)) throw invalidRequest(`Repo not hosted here: ${identifier}`);
  if (auth.kind !== "account" || auth.did !== acct.did) throw forbidden("You may only write to your own repo");
  return acct.did;
}

/**
 * The target of a read, after the §9 availability rules. The account itself and PDS staff bypass the status
 * checks (the firehose never does).
 */
export async function readableRepo(ctx: AppContext, identifier: string, auth: AuthResult): Promise<{ did: string; handle: string }> {
  const acct = await ctx.services.accounts.lookup(identifier);
  // community repos: the §9 community rows (private, takendown, migrated), one shared check
  const community = acct ? undefined : ctx.services.communities.find(identifier);
  if (community && ctx.services.repo.head(community.did)) {
    assertCommunityReadable(ctx, community, auth);
    return { did: community.did, handle: ctx.services.communities.handleOf(community) };
  }
  if (!acct || !ctx.services.repo.head(acct.did)) throw repoNotFound(`Could not find repo: ${identifier}`);
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
