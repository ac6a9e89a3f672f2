// `ofpds plc import <file>`: load an audit log or export through the strict validator, with recorded times.
import { defineCommand } from "citty";
import { readFileSync } from "node:fs";
import { dirname, basename } from "node:path";
import { globalArgs } from "../_shared/args.ts";
import { outputFrom } from "../_shared/output.ts";
import { CliError, EXIT } from "../_shared/errors.ts";
import { plcArgs, plcOptions } from "./_options.ts";
import { acquireDataDirLock } from "../../src/db/lock.ts";
import { importLog } from "../../plc/index.ts";

export default defineCommand({
  meta: { name: "import", description: "Load ops from an audit log (JSON array) or export (JSON lines). Example: ofpds plc import log.json" },
  args: { ...globalArgs, ...plcArgs, file: { type: "positional", required: true, description: "File to import ('-' for stdin)" } },
  async run({ args }) {
    const out = outputFrom(args);
    const opts = plcOptions(args);
    let text: string;
    try {
      const file = String(args.file);
      text = file === "-" ? await Bun.stdin.text() : readFileSync(file, "utf8");
    } catch {
      throw new CliError(`Cannot read ${args.file}`, EXIT.notFound, "FileNotFound");
    }
    const lock = acquireDataDirLock(dirname(opts.dbPath), `${basename(opts.dbPath)}.lock`);
    try {
      const report = await importLog(opts.dbPath, text);
      out.data(report, (r) =>
        [
          `accepted ${r.accepted}, rejected ${r.rejected.length}`,
          ...r.rejected.map((x: { did: string; cid: string; message: string }) => `  ✗ ${x.did} ${x.cid}: ${x.message}`),
        ].join("\n"),
      );
    } finally {
      lock.release();
    }
  },
});
