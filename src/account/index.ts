// Wires the account domain (audit, sessions, invites, accounts, login) for src/services.ts.
import type { NameNamespacePort } from "../names/namespace.ts";
import type { Config, Secrets } from "../config/types.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import { systemClock, type Clock } from "../util/clock.ts";
import { AuditLog } from "../audit/audit-log.ts";
import { AccountService, type AccountDeps } from "./account-service.ts";
import { InviteService } from "./invites.ts";
import { Lockout } from "./lockout.ts";
import { LoginService } from "./login.ts";
import type { IdentityPort, RepoPort } from "./ports.ts";
import { SessionService } from "./sessions.ts";
import { runBootstrap } from "./bootstrap.ts";
import { dummyPasswordHash } from "./passwords.ts";
import { AppPasswordService } from "./app-passwords.ts";
import { PreferenceService } from "./preferences.ts";

export interface AccountServices {
  audit: AuditLog;
  sessions: SessionService;
  invites: InviteService;
  accounts: AccountService;
  login: LoginService;
  /** app passwords (10 §4) and private preferences (10 §3) */
  appPasswords: AppPasswordService;
  preferences: PreferenceService;
}

export function buildAccountServices(deps: { config: Config; secrets: Secrets; db: Database; identity: IdentityPort; repo: RepoPort; names: NameNamespacePort; tombstones: AccountDeps["tombstones"]; logger: Logger; now?: Clock; appPasswordPepper?: () => Promise<Buffer> }): AccountServices {
  const { config, secrets, db, identity, repo, names, tombstones, now = systemClock } = deps;
  const logger = deps.logger.child({ component: "accounts" });
  const audit = new AuditLog(db, now);
  const sessions = new SessionService({ config, secrets, db, audit }, now);
  let accounts: AccountService | undefined;
  const invites = new InviteService({
    db,
    audit,
    handleOf: async (did) => {
      const row = await accounts?.getRow(did);
      return row ? accounts!.handleOf(row) : undefined;
    },
  }, now);
  accounts = new AccountService({ config, secrets, db, identity, repo, audit, invites, sessions, names, tombstones, logger }, now);
  // without a pepper (offline CLI verbs) app passwords cannot be created or matched; serve always passes one
  const pepper = deps.appPasswordPepper ?? (() => Promise.reject(new Error("no app-password pepper in this process")));
  const appPasswords = new AppPasswordService({ db, audit, pepper }, now);
  const preferences = new PreferenceService({ db }, now);
  const login = new LoginService({ db, accounts, sessions, lockout: new Lockout(db, now), audit, handleDomain: config.handleDomain, appPasswords });
  dummyPasswordHash(); // computed once at start, so the first unknown-identifier login is not faster
  return { audit, sessions, invites, accounts, login, appPasswords, preferences };
}

/** Bootstrap admin / dev admin (01 §6, 09 §3); runs at every start, never throws. */
export async function startAccounts(s: AccountServices, deps: { config: Config; secrets: Secrets; db: Database; logger: Logger }): Promise<void> {
  await runBootstrap({ ...deps, accounts: s.accounts, audit: s.audit, logger: deps.logger.child({ component: "bootstrap" }) });
}
