// `ofpds server import-repo <did> --car <file>`: net.openfederation.admin.importRepo (admin): restore a repo hosted
// here (--replace to overwrite one that holds records, after a y/N or -y), or attach a CAR to a prepared import.
import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { UsageError } from "../_shared/errors.ts";
import { confirmAction } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type ImportResult = Output<"net.openfederation.admin.importRepo">;

export default defineCommand({
  meta: {
    name: "import-repo",
    description: [
      "Restore a repository hosted here from a CAR file (a backup or `sync.getRepo` export), re-signed with this server's key,",
      "or attach a community's CAR to a prepared import (offline transfer). Admins only. Examples:",
      "  ofpds server import-repo did:plc:abc123 --car alice.car --replace -y",
      "  ofpds server import-repo did:plc:xyz789 --car gardeners.car --import-id 3f2a… --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    did: { type: "positional", required: true, description: "DID of the repository" },
    car: { type: "string", description: "The CAR file to import (required)" },
    replace: { type: "boolean", description: "Overwrite a repo that already holds records (asks first unless -y)" },
    "import-id": { type: "string", description: "Attach to this prepared community import instead of restoring" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    if (!args.car) throw new UsageError("Missing required arguments: --car <file>");
    if (!args.did.startsWith("did:")) throw new UsageError(`The repository must be given by its DID (got ${args.did})`);
    if (args.replace && args["import-id"]) throw new UsageError("--replace restores a hosted repo; --import-id attaches to a prepared import: use one of them");
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(args.car);
    } catch {
      throw new UsageError(`Cannot read --car ${args.car}`);
    }
    client.requireSession(); // before asking: a confirmation that then fails on login is wasted
    if (args.replace) await confirmAction(args, `Replace every record of ${args.did} with the ${bytes.byteLength}-byte CAR ${args.car}?`);
    const params = { did: args.did, replace: args.replace ? "true" : undefined, importId: args["import-id"] };
    const r = await client.call<ImportResult>("POST", "net.openfederation.admin.importRepo", { params, raw: { contentType: "application/vnd.ipld.car", bytes } });
    out.data(r, () =>
      r.state === "awaiting-identity"
        ? `Attached ${r.recordCount} records to the import of ${r.did}; the owner now moves the DID here and runs \`ofpds community import --import-id ${args["import-id"]}\``
        : `Restored ${r.did}: ${r.recordCount} records, ${r.blockCount} blocks, new head ${r.rootCid} (rev ${r.rev})`,
    );
  },
});
