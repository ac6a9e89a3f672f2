// `ofpds keys rewrap --old-secret-file <file>`: re-encrypt every stored key to the current KEY_ENCRYPTION_SECRET.
import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { globalArgs } from "../_shared/args.ts";
import { CliError, EXIT, UsageError, type ExitCode } from "../_shared/errors.ts";
import { outputFrom } from "../_shared/output.ts";
import { loadConfigReadOnly, localConfigArgs } from "../_shared/local-config.ts";
import { withLockedDataSet } from "../_shared/local-data-set.ts";
import { RewrapError, rewrapKeys, type RewrapErrorName } from "../../src/operator/keys-rewrap.ts";

const EXIT_OF: Record<RewrapErrorName, ExitCode> = { WrongOldSecret: EXIT.usage, SameSecret: EXIT.usage, AlreadyRewrapped: EXIT.conflict, NoKeys: EXIT.notFound };

export default defineCommand({
  meta: {
    name: "rewrap",
    description: [
      "Re-encrypt every stored key from the old KEY_ENCRYPTION_SECRET to the current one (server stopped). Example:",
      "  KEY_ENCRYPTION_SECRET_FILE=/etc/ofpds/secrets/new-kek ofpds keys rewrap --old-secret-file /etc/ofpds/secrets/old-kek",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...localConfigArgs,
    "old-secret-file": { type: "string", description: "File holding the previous KEY_ENCRYPTION_SECRET (required)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    if (!args["old-secret-file"]) throw new UsageError("Missing required arguments: --old-secret-file <file> (the secret never goes on the command line)");
    let oldSecret: string;
    try {
      oldSecret = readFileSync(args["old-secret-file"], "utf8").replace(/\r?\n$/, "");
    } catch {
      throw new UsageError(`Cannot read --old-secret-file ${args["old-secret-file"]}`);
    }
    if (!oldSecret) throw new UsageError(`--old-secret-file ${args["old-secret-file"]} is empty`);
    const { config, secrets } = loadConfigReadOnly(args);
    if (!secrets.keyEncryptionSecret) throw new CliError("KEY_ENCRYPTION_SECRET is not set: set the new secret first (KEY_ENCRYPTION_SECRET or KEY_ENCRYPTION_SECRET_FILE)", EXIT.config, "ConfigError");
    let result;
    try {
      result = await withLockedDataSet(config, (db) => rewrapKeys(db, oldSecret, secrets.keyEncryptionSecret));
    } catch (err) {
      if (err instanceof RewrapError) throw new CliError(err.message, EXIT_OF[err.errorName], err.errorName);
      throw err;
    }
    out.data(result, (r) => `rewrapped ${r.identityKeys} stored keys and ${r.tombstoneOutbox} queued recovery keys`);
    out.success("Every key is now encrypted with the current KEY_ENCRYPTION_SECRET; the old secret no longer opens them");
  },
});
