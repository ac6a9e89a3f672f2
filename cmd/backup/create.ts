// `ofpds backup create`: a consistent online backup (works while the server runs; takes no lock), archive 0600.
import { defineCommand } from "citty";
import { globalArgs } from "../_shared/args.ts";
import { CliError, EXIT } from "../_shared/errors.ts";
import { outputFrom } from "../_shared/output.ts";
import { loadConfigReadOnly, localConfigArgs, rawSetting } from "../_shared/local-config.ts";
import { SECRET_NAMES } from "../../src/config/settings.ts";
import { BackupError, createBackup } from "../../src/operator/backup/create.ts";

export default defineCommand({
  meta: {
    name: "create",
    description: [
      "Write a backup archive of the data set (JSON-lines dump of the database, plus a SQLite copy on SQLite; blobs, export snapshots, config).",
      "Works while the server runs. Secrets are left out unless --include-secrets. Examples:",
      "  ofpds backup create",
      "  ofpds backup create --output /srv/backups/ --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...localConfigArgs,
    output: { type: "string", alias: "o", description: "Archive file, or a directory for ofpds-backup-<UTC timestamp>.tar.gz (default <DATA_DIR>/backups)" },
    "include-secrets": { type: "boolean", description: "Also archive the secret files (secrets.json, *_FILE secrets, the bootstrap key file)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const { config, configPath } = loadConfigReadOnly(args);
    const secretFiles = SECRET_NAMES.flatMap((n) => {
      const path = rawSetting(args, `${n}_FILE`);
      return path ? [{ name: n.toLowerCase(), path }] : [];
    });
    let result;
    try {
      result = await createBackup({
        dataDir: config.dataDir,
        blobDir: config.blobDir,
        exportsDir: config.exportsDir,
        database: config.database,
        serviceDid: config.serviceDid,
        hostname: config.hostname,
        version: config.version,
        configPath,
        secretFiles,
        includeSecrets: args["include-secrets"] === true,
        output: args.output,
        now: Date.now,
      });
    } catch (err) {
      if (err instanceof BackupError) throw new CliError(err.message, err.errorName === "OutputExists" ? EXIT.conflict : EXIT.runtime, err.errorName);
      throw err;
    }
    const { archive, manifest } = result;
    const bytes = manifest.files.reduce((n, f) => n + f.size, 0);
    out.data(
      { archive, schemaVersion: manifest.schemaVersion, firehoseSeq: manifest.firehoseSeq, createdAt: manifest.createdAt, includesSecrets: manifest.includesSecrets, files: manifest.files.length, bytes, tables: manifest.tables },
      () => archive,
    );
    out.success(`Backup written: ${archive} (${manifest.files.length} files, ${bytes} bytes, schema ${manifest.schemaVersion}, firehose seq ${manifest.firehoseSeq})`);
    out.warn(
      manifest.includesSecrets
        ? "This archive holds secrets: keep it as safe as the secrets themselves"
        : "Keys in this backup are usable only with the same KEY_ENCRYPTION_SECRET: store that secret separately (it is not in the archive)",
    );
  },
});
