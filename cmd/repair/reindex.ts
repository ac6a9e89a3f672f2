// `ofpds repair reindex <did>`: rebuild a repo's records index and projections from its blocks (server stopped),
// through the same restore routine as admin.importRepo (src/admin/repo-restore.ts → src/repo/import.ts).
import { existsSync } from "node:fs";
import { defineCommand } from "citty";
import { globalArgs } from "../_shared/args.ts";
import { CliError, EXIT, UsageError } from "../_shared/errors.ts";
import { outputFrom } from "../_shared/output.ts";
import { loadConfigReadOnly, localConfigArgs } from "../_shared/local-config.ts";
import { acquireDataDirLock } from "../../src/db/lock.ts";
import { openConfiguredDatabase } from "../../src/migrations.ts";
import { buildServices } from "../../src/services.ts";
import { createLogger } from "../../src/util/logger.ts";
import { DomainError } from "../../src/errors.ts";
import { dbPathOf } from "../../src/operator/data-set.ts";

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}


export default defineCommand({
  meta: {
    name: "reindex",
    description: [
      "Rebuild a repository's records index and projections (community members and roles, external keys, blob",
      "references) from its blocks, under a new commit signed by this server (server stopped). Example:",
      "  ofpds repair reindex did:plc:abc123 --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...localConfigArgs,
    did: { type: "positional", required: true, description: "DID of the repository" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const did = String(args.did);
    if (!did.startsWith("did:")) throw new UsageError(`The repository must be given by its DID (got ${did})`);
    const { config, secrets } = loadConfigReadOnly(args);
    // a SQLite data dir without its database is refused before the lock would create anything in it
    if (!config.database && !existsSync(dbPathOf(config.dataDir))) throw new CliError(`no database in ${config.dataDir}: run \`ofpds init\` (or start the server once) first`, EXIT.notFound, "NoDatabase");
    const lock = acquireDataDirLock(config.dataDir);
    try {
      const db = await openConfiguredDatabase(config);
      try {
        if (!(await db.raw.get("SELECT 1 AS ok FROM repo_roots WHERE did = ?", [did]))) throw new CliError(`no repository for ${did} in ${db.location}`, EXIT.notFound, "RepoNotFound");
        const logger = createLogger({ level: args.json ? "error" : "warn", format: config.logFormat });
        // no bootstrap here: a repair never creates accounts; jobs and crawlers are never started
        const services = await buildServices({ config, secrets: { ...secrets, bootstrapAdmin: undefined }, db, logger });
        const stream = await services.repo.getRepoCar(did);
        if (!stream) throw new CliError(`no repository for ${did}`, EXIT.notFound, "RepoNotFound");
        const car = await bytesOf(stream);
        let r;
        try {
          r = await services.repoRestore.importRepo(config.serviceDid, { did, replace: true }, car);
        } catch (err) {
          if (err instanceof DomainError) throw new CliError(`${err.message} (${err.error})`, err.kind === "invalid" ? EXIT.usage : EXIT.runtime, err.error);
          throw err;
        }
        out.data({ did, rootCid: r.rootCid, rev: r.rev, recordCount: r.recordCount, blockCount: r.blockCount }, (v) => `${v.did}: ${v.recordCount} records reindexed under commit ${v.rootCid} (rev ${v.rev})`);
        out.success(`Reindexed ${did} from its blocks (${r.recordCount} records)`);
      } finally {
        await db.close();
      }
    } finally {
      lock.release();
    }
  },
});
