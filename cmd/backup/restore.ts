// `ofpds backup restore <archive>`: into a stopped server's empty data dir (or, with --force, moving the old one
// aside; on PostgreSQL the configured database must be empty), after typing the hostname (or --confirm <hostname> / -y). Refused while a server holds the lock.
import { defineCommand } from "citty";
import { globalArgs, yesArg } from "../_shared/args.ts";
import { CliError, EXIT, UsageError, type ExitCode } from "../_shared/errors.ts";
import { canPrompt } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { loadTargetConfig, localConfigArgs } from "../_shared/local-config.ts";
import { RestoreError, restoreBackup, type RestoreErrorName } from "../../src/operator/backup/restore.ts";

const EXIT_OF: Record<RestoreErrorName, ExitCode> = {
  ArchiveNotFound: EXIT.notFound,
  DataDirNotEmpty: EXIT.conflict,
  DatabaseNotEmpty: EXIT.conflict,
  BackupCorrupt: EXIT.runtime,
  SchemaTooNew: EXIT.config,
  KeySecretMismatch: EXIT.config,
};

async function confirmHostname(args: { yes?: boolean; confirm?: string; input?: boolean }, hostname: string, dataDir: string): Promise<void> {
  if (args.yes) return;
  if (args.confirm !== undefined) {
    if (args.confirm.trim().toLowerCase() !== hostname.toLowerCase()) throw new UsageError(`--confirm ${args.confirm} does not match this server's hostname ${hostname}; nothing was changed\nPass --confirm ${hostname}`);
    return;
  }
  if (!canPrompt(args)) throw new UsageError(`Restoring into ${dataDir} needs confirmation, and there is no terminal to ask on\nPass --confirm ${hostname} (or -y/--yes) to confirm`);
  const p = await import("@clack/prompts");
  const typed = await p.text({ message: `Restore the backup into ${dataDir}? Type the hostname (${hostname}) to confirm`, placeholder: hostname, output: process.stderr });
  if (p.isCancel(typed) || String(typed ?? "").trim().toLowerCase() !== hostname.toLowerCase()) throw new CliError("The hostname did not match; nothing was changed", EXIT.usage, "Cancelled");
}

export default defineCommand({
  meta: {
    name: "restore",
    description: [
      "Restore a backup archive into the data directory of a stopped server: checksums and schema are verified first,",
      "the database is rebuilt from the portable dump, and the first start announces every repo again. Examples:",
      "  ofpds backup restore ofpds-backup-20260101T000000Z.tar.gz --confirm pds.example.org",
      "  ofpds backup restore backup.tar.gz --data-dir /var/lib/ofpds --force --confirm pds.example.org --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...localConfigArgs,
    ...yesArg,
    archive: { type: "positional", required: true, description: "The backup archive (.tar.gz)" },
    confirm: { type: "string", description: "The server's hostname (PDS_HOSTNAME), typed to confirm without a prompt" },
    force: { type: "boolean", description: "Restore over a non-empty data dir, moving it aside to <DATA_DIR>.before-restore-<timestamp>" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const { config, secrets } = loadTargetConfig(args);
    await confirmHostname(args, config.hostname, config.dataDir);
    let r;
    try {
      r = await restoreBackup({ archive: String(args.archive), dataDir: config.dataDir, database: config.database, blobDir: config.blobDir, exportsDir: config.exportsDir, force: args.force === true, keyEncryptionSecret: secrets.keyEncryptionSecret || undefined, now: Date.now });
    } catch (err) {
      if (err instanceof RestoreError) throw new CliError(err.message, EXIT_OF[err.errorName], err.errorName);
      throw err;
    }
    out.data(r, () => r.dataDir);
    out.success(`Restored the backup of ${r.backupCreatedAt} into ${r.dataDir} (schema ${r.backupSchemaVersion} → ${r.schemaVersion}; firehose continues above seq ${r.firehoseSeqFloor})`);
    if (r.movedAside) out.info(`The previous data directory is now ${r.movedAside}`);
    if (r.restoredConfig) out.info(`The archived config file is at ${r.restoredConfig}: compare it with your config before starting`);
    for (const s of r.restoredSecrets) out.info(`Restored secret file: ${s}`);
    if (!r.keySecretChecked) out.warn("No KEY_ENCRYPTION_SECRET is set and the archive holds none: before `ofpds serve`, set the secret of the installation this backup was taken from, or the server refuses to start (78)");
    out.info("Next: ofpds serve (its first start sends #sync for every active repo and notifies the crawlers)");
  },
});
