// Bootstrap admin at every start (spec 01 §6) and the development `admin` account (09 §3).
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import type { Config, Secrets } from "../config/types.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { AccountService, CreatedAccount } from "./account-service.ts";
import { isAcceptablePassword, normaliseEmail, normaliseName, PDS_ROLES } from "./rules.ts";
import { accounts } from "./schema.ts";

export const ROTATION_KEY_FILE = "bootstrap-admin-rotation-key.txt";
export const DEV_ADMIN_FILE = "dev-admin.txt";

/** The dev admin's handle as recorded in `<dataDir>/dev-admin.txt` (written by createDevAdmin below), if any. */
export function devAdminHandle(dataDir: string): string | undefined {
  const file = join(dataDir, DEV_ADMIN_FILE);
  return existsSync(file) ? /^handle: (.+)$/m.exec(readFileSync(file, "utf8"))?.[1] : undefined;
}

export interface BootstrapDeps {
  config: Config;
  secrets: Secrets;
  db: Database;
  accounts: AccountService;
  audit: AuditLog;
  logger: Logger;
}

export async function runBootstrap(deps: BootstrapDeps): Promise<void> {
  const { config, secrets, logger } = deps;
  if (secrets.bootstrapAdmin) {
    await bootstrapAdmin(deps, secrets.bootstrapAdmin);
    return;
  }
  if (config.dev && (await deps.accounts.isEmpty())) await createDevAdmin(deps);
  else logger.debug("no bootstrap admin configured");
}

async function bootstrapAdmin(deps: BootstrapDeps, env: { email: string; handle: string; password: string }): Promise<void> {
  const { config, db, accounts: svc, logger } = deps;
  const name = normaliseName(env.handle, config.handleDomain);
  const email = normaliseEmail(env.email);
  const byName = (await db.orm.select().from(accounts).where(and(eq(accounts.name, name))).all()).filter((r) => r.status !== "rejected" && r.status !== "creating");
  const byEmail = (await db.orm.select().from(accounts).where(eq(accounts.email, email)).all()).filter((r) => r.status !== "rejected" && r.status !== "creating");
  const match = byName.find((r) => r.email === email);
  if (match) {
    await db.transaction(async (tx) => {
      if (match.status === "pending") {
        const at = new Date().toISOString();
        await tx.orm.update(accounts).set({ status: "approved", approvedAt: at, statusChangedAt: at }).where(eq(accounts.did, match.did)).run();
      } else if (match.status !== "approved") {
        logger.warn("bootstrap admin account is not approved and was left alone", { did: match.did, status: match.status });
      }
      await svc.ensureRolesInTx(tx, match.did, PDS_ROLES);
    });
    logger.warn("BOOTSTRAP_ADMIN_* variables are still set; remove them (the admin account persists without them)");
    return;
  }
  if (byName.length || byEmail.length) {
    logger.error("bootstrap admin not created: the handle or email is already used by a different account", {
      conflict: byName.length ? "handle" : "email",
      ...(byName[0] ? { handleOwner: byName[0].did } : {}),
      ...(byEmail[0] ? { emailOwner: byEmail[0].did } : {}),
    });
    return;
  }
  const weak = !isAcceptablePassword(env.password);
  if (weak && !config.dev && config.env === "production") {
    logger.error("bootstrap admin not created: BOOTSTRAP_ADMIN_PASSWORD does not meet the password rules");
    return;
  }
  if (weak) logger.warn("bootstrap admin password does not meet the password rules (accepted in development only)");
  try {
    const { created } = await createOperatorAdmin(deps, { handle: name, email, password: env.password, allowWeakPassword: weak });
    logger.info("✓ Bootstrap admin user created", { did: created.did, handle: created.handle });
  } catch (err) {
    logger.error("bootstrap admin creation failed", { err: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * The operator's admin (01 §6 step 3): the shared creation routine with all five roles, approved, reserved names
 * allowed; audit `server.bootstrapAdmin`; the primary rotation key written once, 0600, to `keyFile` (default
 * `<DATA_DIR>/bootstrap-admin-rotation-key.txt`). Used by the bootstrap at start and by the local
 * `ofpds account create --data-dir` when bootstrap failed. Throws the creation routine's errors.
 */
export async function createOperatorAdmin(
  deps: Pick<BootstrapDeps, "config" | "db" | "accounts" | "audit" | "logger">,
  input: { handle: string; email: string; password: string; allowWeakPassword?: boolean; keyFile?: string; via?: string },
): Promise<{ created: CreatedAccount; rotationKeyFile?: string }> {
  const { config, db, accounts: svc, audit, logger } = deps;
  const created = await svc.create({
    handle: input.handle, email: input.email, password: input.password, createdVia: "bootstrap", operator: true, roles: [...PDS_ROLES],
    allowWeakPassword: input.allowWeakPassword, actor: { type: "system" },
  });
  await db.transaction((tx) => audit.writeInTx(tx, { action: "server.bootstrapAdmin", actorType: "system", targetDid: created.did, meta: { handle: created.handle, ...(input.via ? { via: input.via } : {}) } }));
  if (!created.primaryRotationKey) return { created };
  const path = input.keyFile ?? join(config.dataDir, ROTATION_KEY_FILE);
  writeFileSync(path, `${JSON.stringify({ did: created.did, ...created.primaryRotationKey }, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  logger.info("bootstrap admin primary rotation key written; move it somewhere safe and delete the file", { path });
  return { created, rotationKeyFile: path };
}

async function createDevAdmin(deps: BootstrapDeps): Promise<void> {
  const { config, accounts: svc, logger } = deps;
  // letters + digits + a symbol: always satisfies the password rules
  const password = `Dev-${randomBytes(12).toString("base64url")}-1a`;
  try {
    const created = await svc.create({
      handle: "admin", email: "admin@localhost.test", password, createdVia: "bootstrap", operator: true, roles: [...PDS_ROLES],
      actor: { type: "system" },
    });
    const path = join(config.dataDir, DEV_ADMIN_FILE);
    writeFileSync(path, `handle: ${created.handle}\npassword: ${password}\ndid: ${created.did}\n`, { mode: 0o600 });
    logger.info("✓ Development admin created", { handle: created.handle, passwordFile: path });
  } catch (err) {
    logger.error("development admin creation failed", { err: err instanceof Error ? err.message : String(err) });
  }
}
