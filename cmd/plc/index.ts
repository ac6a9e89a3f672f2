// `ofpds plc`: run the did:plc directory; `plc import` and `plc verify` work on its database.
import { defineCommand } from "citty";
import { globalArgs, listenArgs } from "../_shared/args.ts";
import { outputFrom } from "../_shared/output.ts";
import { untilSignal } from "../_shared/signals.ts";
import { plcArgs, plcOptions } from "./_options.ts";
import { createLogger } from "../../src/util/logger.ts";
import { acquireDataDirLock } from "../../src/db/lock.ts";
import { dirname, basename } from "node:path";

const SUBCOMMANDS = ["import", "verify"];

export default defineCommand({
  meta: { name: "plc", description: "Run a did:plc directory. Example: ofpds plc --port 2582 --data-dir /var/lib/ofpds-plc" },
  args: { ...globalArgs, ...listenArgs, ...plcArgs },
  subCommands: {
    import: () => import("./import.ts").then((m) => m.default),
    verify: () => import("./verify.ts").then((m) => m.default),
  },
  async run({ args, rawArgs }) {
    // citty runs a parent's run() after a subcommand too; the subcommand already did the work.
    if (rawArgs.some((a) => SUBCOMMANDS.includes(a))) return;
    const out = outputFrom(args);
    const opts = plcOptions(args);
    const lock = acquireDataDirLock(dirname(opts.dbPath), `${basename(opts.dbPath)}.lock`);
    const { startPlcServer } = await import("../../plc/index.ts");
    const logger = createLogger({ level: "info" });
    try {
      const server = await startPlcServer({ ...opts, logger });
      out.success(`ofpds plc ${opts.version} listening on ${server.url} (database ${opts.dbPath})`);
      await untilSignal(server.stop, out);
      out.info("Shut down cleanly");
    } finally {
      lock.release();
    }
  },
});
