// `ofpds account export <did|handle>`: net.openfederation.account.export as JSON (stdout or -o) or a repo CAR (-o, or stdout when piped).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom, type XrpcClient } from "../_shared/client.ts";
import { UsageError } from "../_shared/errors.ts";
import { outputFrom } from "../_shared/output.ts";
import { download, writePrivate } from "../community/_shared.ts";
import { toDid } from "./_target.ts";

const EXPORT = "net.openfederation.account.export";

/**
 * A DID passes through; the signed-in account's own handle (full or bare name) is its DID without a lookup, so a
 * holder with a restricted session can export; any other handle or email is found through account.list (staff).
 */
async function targetDid(client: XrpcClient, input: string): Promise<string> {
  const v = input.trim().replace(/^@/, "").toLowerCase();
  if (v.startsWith("did:")) return input.trim();
  const me = client.requireSession();
  const mine = me.handle.toLowerCase();
  if (v === mine || v === mine.split(".")[0]) return me.did;
  return toDid(client, input);
}

export default defineCommand({
  meta: {
    name: "export",
    description: [
      "Export an account: your own (any session, also a restricted one from `auth login --allow-takendown`), or any as admin or moderator.",
      "Your own complete export counts for the export rule (takedown/deletion); a staff export never does. Examples:",
      "  ofpds account export alice > alice.json",
      "  ofpds account export alice -o alice.json",
      "  ofpds account export alice --format car -o alice.car",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    account: { type: "positional", required: true, description: "Handle, DID or email of the account" },
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
    const did = await targetDid(client, args.account);
    if (format === "car") {
      const bytes = await download(client, "GET", EXPORT, { params: { did, format: "car" }, auth: "access" });
      if (args.output) {
        writePrivate(args.output, bytes);
        out.data({ did, format, output: args.output, bytes: bytes.byteLength }, () => `Exported ${args.account} as CAR to ${args.output} (${bytes.byteLength} bytes)`);
      } else {
        process.stdout.write(bytes);
      }
      return;
    }
    // Its lexicon declares `*/*` (JSON or CAR), so the JSON document has no schema to type it from.
    const doc = await client.call<{ stats?: { totalRecords?: number } }>("GET", EXPORT, { params: { did, format: "json" } });
    if (args.output) {
      writePrivate(args.output, JSON.stringify(doc, null, 2) + "\n");
      out.success(`Exported ${args.account} to ${args.output} (${doc.stats?.totalRecords ?? "?"} records)`);
      if (args.json) out.data(doc);
    } else {
      // The export itself is the data: printed as JSON in both modes.
      process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
    }
  },
});
