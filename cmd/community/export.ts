// `ofpds community export <did|handle>`: net.openfederation.community.export as JSON (stdout or -o) or a repo CAR (-o, or stdout when piped).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { UsageError } from "../_shared/errors.ts";
import { outputFrom } from "../_shared/output.ts";
import { communityArg, download, normalizeRef, nsid, writePrivate } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "export",
    description: [
      "Export a community (owner or admin; works in every status). An owner export counts for the export rule. Examples:",
      "  ofpds community export gardeners > gardeners.json",
      "  ofpds community export gardeners -o gardeners.json",
      "  ofpds community export gardeners --format car -o gardeners.car",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...communityArg,
    format: { type: "string", description: "json (default) or car (the full repository)" },
    output: { type: "string", alias: "o", description: "Write to this file (0600); required for car when stdout is a terminal" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const format = args.format ?? "json";
    if (format !== "json" && format !== "car") throw new UsageError(`--format must be json or car (got ${format})`);
    if (format === "car" && !args.output && process.stdout.isTTY) throw new UsageError("A CAR file is binary and stdout is a terminal\nPass -o/--output <file>, or redirect stdout");
    if (format === "car" && args.json && !args.output) throw new UsageError("--json with --format car needs -o/--output <file>: stdout cannot hold both");
    client.requireSession();
    const did = await normalizeRef(client, args.community);
    if (format === "car") {
      const bytes = await download(client, "GET", nsid("export"), { params: { did, format: "car" }, auth: "access" });
      if (args.output) {
        writePrivate(args.output, bytes);
        const summary = { did, format, output: args.output, bytes: bytes.byteLength };
        out.data(summary, () => `Exported ${args.community} as CAR to ${args.output} (${bytes.byteLength} bytes)`);
      } else {
        process.stdout.write(bytes);
      }
      return;
    }
    // Its lexicon declares `*/*` (JSON or CAR), so the JSON document has no schema to type it from.
    const doc = await client.call<{ stats?: { totalRecords?: number } }>("GET", nsid("export"), { params: { did, format: "json" } });
    if (args.output) {
      writePrivate(args.output, JSON.stringify(doc, null, 2) + "\n");
      out.success(`Exported ${args.community} to ${args.output} (${doc.stats?.totalRecords ?? "?"} records)`);
      if (args.json) out.data(doc);
    } else {
      // The export itself is the data: printed as JSON in both modes.
      process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
    }
  },
});
