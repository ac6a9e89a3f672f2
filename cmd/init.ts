// `ofpds init`: first-time setup — config file, generated secrets (0600), data dir (0700), migrated database.
import { defineCommand } from "citty";
import { openDatabase } from "../src/migrations.ts";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import envPaths from "env-paths";
import { dataDirArg, globalArgs } from "./_shared/args.ts";
import { outputFrom, type Output } from "./_shared/output.ts";
import { CliError, EXIT, UsageError } from "./_shared/errors.ts";
import { generateSecret } from "../src/config/dev-secrets.ts";
import { defaultConfigPath } from "../src/config/raw.ts";
import { acquireDataDirLock } from "../src/db/lock.ts";
import { askInteractively, BLUESKY_SERVICES, checkAnswers, fromFlags, type InitAnswers } from "./init-answers.ts";

const toml = (v: string | boolean) => (typeof v === "boolean" ? String(v) : JSON.stringify(v));

function writeSecretFile(path: string, value: string): void {
  writeFileSync(path, value + "\n", { mode: 0o600 });
  chmodSync(path, 0o600);
}

async function writeSetup(a: InitAnswers, configPath: string, out: Output) {
  const secretsDir = join(dirname(configPath), "secrets");
  const files = {
    auth_jwt_secret_file: join(secretsDir, "auth_jwt_secret"),
    key_encryption_secret_file: join(secretsDir, "key_encryption_secret"),
    bootstrap_admin_password_file: join(secretsDir, "bootstrap_admin_password"),
  };
  // The lock first: a data dir in use by a running server is refused before anything is written.
  const lock = acquireDataDirLock(a.dataDir);
  // Why before any write: the keys in an initialised data dir are encrypted with these secrets; replacing them
  // (even with --force) would make the next start exit 78 and the keys unreadable. Starting over is explicit.
  const existing = [files.auth_jwt_secret_file, files.key_encryption_secret_file, join(a.dataDir, "ofpds.sqlite")].filter((f) => existsSync(f));
  if (existing.length) {
    lock.release();
    throw new CliError(
      `Already initialised: ${existing.join(", ")} exist and the data dir's keys depend on them; nothing was changed. To start over, stop the server and remove ${secretsDir} and ${a.dataDir} (see docs/operations.md)`,
      EXIT.conflict,
      "AlreadyInitialised",
    );
  }
  try {
    return await writeLocked(a, configPath, secretsDir, files, out);
  } finally {
    lock.release();
  }
}

async function writeLocked(a: InitAnswers, configPath: string, secretsDir: string, files: { auth_jwt_secret_file: string; key_encryption_secret_file: string; bootstrap_admin_password_file: string }, out: Output) {
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  writeSecretFile(files.auth_jwt_secret_file, generateSecret());
  writeSecretFile(files.key_encryption_secret_file, generateSecret());
  writeSecretFile(files.bootstrap_admin_password_file, a.adminPassword);
  const settings: Record<string, string | boolean> = {
    pds_hostname: a.hostname,
    handle_domain: a.handleDomain,
    data_dir: a.dataDir,
    plc_url: a.plcUrl,
    invite_required: a.inviteRequired,
    approval_required: a.approvalRequired,
    bootstrap_admin_handle: a.adminHandle,
    bootstrap_admin_email: a.adminEmail,
    ...(a.blueskyServices ? BLUESKY_SERVICES : {}),
    ...files,
  };
  if (a.databaseUrlFile) settings.database_url_file = resolve(a.databaseUrlFile);
  // SMTP_URL is a secret: referenced as a file (the operator's, or the one written here from the prompt), never inline
  if (a.smtpUrl) writeSecretFile(join(secretsDir, "smtp_url"), a.smtpUrl);
  if (a.smtpUrlFile || a.smtpUrl) settings.smtp_url_file = a.smtpUrlFile ? resolve(a.smtpUrlFile) : join(secretsDir, "smtp_url");
  if (a.emailFrom) settings.email_from = a.emailFrom;
  const body = ["# ofpds configuration, written by `ofpds init`. Keys are the environment names in lower case.", ...Object.entries(settings).map(([k, v]) => `${k} = ${toml(v)}`)].join("\n") + "\n";
  mkdirSync(dirname(configPath), { recursive: true, mode: 0o700 });
  writeFileSync(configPath, body, { mode: 0o600 });
  chmodSync(configPath, 0o600);

  chmodSync(a.dataDir, 0o700);
  if (a.databaseUrlFile) {
    // no connection here: the server's DB_SSL/DB_* settings may differ from what init would guess; serve migrates it
    out.success(`Database: PostgreSQL (the URL in ${resolve(a.databaseUrlFile)}); its schema is created at the first \`ofpds serve\``);
    return { configPath, secretsDir, dataDir: a.dataDir, schemaVersion: null };
  }
  const db = await openDatabase({ dataDir: a.dataDir });
  let schemaVersion: number;
  try {
    schemaVersion = await db.schemaVersion();
  } finally {
    await db.close();
  }
  out.success(`Database ready (schema version ${schemaVersion})`);
  return { configPath, secretsDir, dataDir: a.dataDir, schemaVersion };
}

export default defineCommand({
  meta: { name: "init", description: "First-time setup. Example: ofpds init --hostname pds.example.org --admin-handle alice --admin-email a@example.org --admin-password-file pw.txt" },
  args: {
    ...globalArgs,
    ...dataDirArg,
    config: { type: "string", description: "Where to write the config file (default $OFPDS_CONFIG or the XDG config dir)" },
    hostname: { type: "string", description: "Public hostname (PDS_HOSTNAME)" },
    "handle-domain": { type: "string", description: "Handle domain (default: the hostname)" },
    "plc-url": { type: "string", description: "PLC directory URL (default https://plc.directory)" },
    "database-url-file": { type: "string", description: "File holding a postgres:// URL (default: embedded SQLite)" },
    "admin-handle": { type: "string", description: "First admin's name" },
    "admin-email": { type: "string", description: "First admin's email" },
    "admin-password-file": { type: "string", description: "File holding the first admin's password" },
    "invite-required": { type: "boolean", description: "Require invites (--no-invite-required for open registration)" },
    "approval-required": { type: "boolean", description: "Require approval (--no-approval-required to skip it)" },
    "bluesky-services": { type: "boolean", description: "Proxy to Bluesky's AppView, chat and report services (--no-bluesky-services to leave them unset)" },
    "smtp-url-file": { type: "string", description: "File holding the SMTP_URL (smtp://user:pass@host:587 or smtps://…); default: no mailer" },
    "email-from": { type: "string", description: "Sender of the server's mails (EMAIL_FROM), required with --smtp-url-file" },
    force: { type: "boolean", description: "Overwrite an existing config file" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const configPath = resolve(args.config ?? defaultConfigPath());
    if (existsSync(configPath) && !args.force) {
      throw new CliError(`A config file already exists at ${configPath}; use --force to overwrite it`, EXIT.conflict, "ConfigExists");
    }
    const defaults = { dataDir: envPaths("ofpds", { suffix: "" }).data };
    const interactive = args.input !== false && process.stdin.isTTY && process.stderr.isTTY;
    const answers = interactive ? await askInteractively(args, defaults) : fromFlags(args, defaults);
    const problems = checkAnswers(answers);
    if (problems.length) throw new UsageError(problems.join("; "));
    const result = await writeSetup(answers, configPath, out);
    out.data(result, (r) => `Config written to ${r.configPath}\nSecrets in ${r.secretsDir} (back these up separately: keys are unreadable without KEY_ENCRYPTION_SECRET)\nNext: ofpds serve --config ${r.configPath}`);
  },
});
