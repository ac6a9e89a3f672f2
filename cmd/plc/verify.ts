// `ofpds plc verify`: re-validate every stored DID log; exit 1 when any mismatch is found.
import { defineCommand } from "citty";
import { dirname, basename } from "node:path";
import { globalArgs } from "../_shared/args.ts";
import { outputFrom } from "../_shared/output.ts";
import { CliError, EXIT } from "../_shared/errors.ts";
import { plcArgs, plcOptions } from "./_options.ts";
import { acquireDataDirLock } from "../../src/db/lock.ts";
import { verifyAll } from "../../plc/index.ts";

export default defineCommand({
  meta: { name: "verify", description: "Re-validate every DID's log in the directory database. Example: ofpds plc verify --json" },
  args: { ...globalArgs, ...plcArgs },
  async run({ args }) {
    const out = outputFrom(args);
    const opts = plcOptions(args);
    const lock = acquireDataDirLock(dirname(opts.dbPath), `${basename(opts.dbPath)}.lock`);
    try {
      const report = await verifyAll(opts.dbPath);
      out.data(report, (r) => JSON.stringify(r, null, 2));
      if (report.mismatches.length > 0) {
        throw new CliError(`${report.mismatches.length} DID log(s) failed validation`, EXIT.runtime, "VerifyFailed");
      }
    } finally {
      lock.release();
    }
  },
});
