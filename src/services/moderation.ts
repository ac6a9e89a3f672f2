// Composition of staff moderation (01 §3 T8-T11, 04 §6, 06 §1): account and community moderation, and
// admin.update/getSubjectStatus over both (a community DID hosted here maps to the community methods).
import type { Config } from "../config/types.ts";
import type { Database } from "../db/database.ts";
import type { Clock } from "../util/clock.ts";
import type { Sequencer } from "../sequencer/index.ts";
import type { RepoService } from "../repo/index.ts";
import type { AccountServices } from "../account/index.ts";
import type { CommunityService } from "../community/index.ts";
import { AccountModerationService } from "../account/moderation.ts";
import { SubjectStatusService } from "../account/subject-status.ts";
import { CommunityModerationService } from "../community/moderation.ts";
import { findCommunity } from "../community/gate.ts";

export interface ModerationDeps {
  config: Config;
  db: Database;
  now: Clock;
  accounts: AccountServices["accounts"];
  sessions: AccountServices["sessions"];
  audit: AccountServices["audit"];
  communities: CommunityService;
  sequencer: Sequencer;
  repo: RepoService;
}

export function buildModeration(deps: ModerationDeps) {
  const { config, db, now, accounts, sessions, audit, communities, sequencer, repo } = deps;
  const communityModeration = new CommunityModerationService({ config, db, communities, audit, sequencer, now });
  const accountModeration = new AccountModerationService({ db, accounts, sessions, sequencer, audit, headRev: async (did) => (await repo.head(did))?.rev, graceDays: config.takedownExportGraceDays }, now);
  const subjectStatus = new SubjectStatusService({
    accounts, moderation: accountModeration,
    communities: {
      find: async (did) => (did.startsWith("did:") ? findCommunity({ db, config }, did) : undefined),
      suspend: (did, actor, reason) => communityModeration.suspend(did, actor, reason),
      unsuspend: (did, actor) => communityModeration.unsuspend(did, actor),
      takedown: (did, actor, reason) => communityModeration.takedown(did, actor, reason),
      untakedown: (did, actor) => communityModeration.untakedown(did, actor),
    },
  });
  return { communityModeration, accountModeration, subjectStatus };
}
