// `ofpds community import`: on the destination server, prepareImport (--did, --handle, --source) or completeImport (--import-id, --token-file).
import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom, normalizeServer, type RequestBody } from "../_shared/client.ts";
import { UsageError } from "../_shared/errors.ts";
import { outputFrom } from "../_shared/output.ts";
import { nsid } from "./_shared.ts";

/** The transfer token from --token-file: the raw token, or transfer.json as written by `community transfer -o`. */
function readToken(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch {
    throw new UsageError(`Cannot read --token-file ${path}`);
  }
  if (text.startsWith("{")) {
    try {
      const token = (JSON.parse(text) as { transferToken?: unknown }).transferToken;
      if (typeof token === "string" && token) return token;
    } catch {
      /* not JSON after all: reported below */
    }
    throw new UsageError(`--token-file ${path} is JSON without a transferToken`);
  }
  if (!text) throw new UsageError(`--token-file ${path} is empty`);
  return text;
}

export default defineCommand({
  meta: {
    name: "import",
    description: [
      "Bring a community here from another server (run on this, the destination server). Two steps:",
      "  1. ofpds community import --did did:plc:abc123 --handle gardeners --source https://old.example",
      "     (prints the importTicket for `ofpds community transfer … --ticket` on the source)",
      "  2. ofpds community import --import-id <id> --token-file ./gardeners-transfer/transfer.json --json",
      "     (--token-file holds the transfer token, or is the transfer.json written by `community transfer -o`;",
      "      without it the repository must have been attached by an admin: offline import)",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    did: { type: "string", description: "Step 1: the community's DID" },
    handle: { type: "string", description: "Step 1: the community's name on this server" },
    source: { type: "string", description: "Step 1: URL of the server that hosts it now" },
    "import-id": { type: "string", description: "Step 2: the importId from step 1" },
    "token-file": { type: "string", description: "Step 2: file with the transfer token (or transfer.json)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const prepare = args.did !== undefined || args.handle !== undefined || args.source !== undefined;
    const complete = args["import-id"] !== undefined || args["token-file"] !== undefined;
    if (prepare && complete) throw new UsageError("Use --did/--handle/--source (step 1) or --import-id/--token-file (step 2), not both");
    if (!prepare && !complete) throw new UsageError("Missing required arguments: --did, --handle, --source (step 1), or --import-id (step 2)");
    if (prepare) {
      const missing = [!args.did && "--did", !args.handle && "--handle", !args.source && "--source"].filter(Boolean) as string[];
      if (missing.length) throw new UsageError(`Missing required arguments: ${missing.join(", ")}`);
      if (!args.did!.startsWith("did:")) throw new UsageError(`--did must be a DID (got ${args.did})`);
      const body = { did: args.did!, handle: args.handle!.replace(/^@/, "").toLowerCase(), sourcePds: normalizeServer(args.source!) };
      client.requireSession();
      const r = await client.procedure(nsid("prepareImport"), body);
      out.data(r, () =>
        [
          `Import of ${args.did} as ${r.handle} prepared (expires ${r.expiresAt})`,
          `Import id: ${r.importId}`,
          `Import ticket: ${r.importTicket}`,
          `Next, on the source: ofpds community transfer ${args.did} --ticket ${r.importTicket} -o <dir> -s ${body.sourcePds}`,
        ].join("\n"),
      );
      return;
    }
    if (!args["import-id"]) throw new UsageError("Missing required arguments: --import-id");
    const body: RequestBody<"net.openfederation.community.completeImport"> = { importId: args["import-id"] };
    if (args["token-file"]) body.transferToken = readToken(args["token-file"]);
    client.requireSession();
    const r = await client.procedure(nsid("completeImport"), body);
    out.data(r, () => `Imported ${r.handle} (${r.did}): ${r.status} at rev ${r.rev}`);
  },
});
