// `ofpds community snapshot <id> -o <file>`: net.openfederation.admin.getExportSnapshot (admin or the community's owner) to a 0600 file.
import { createHash } from "node:crypto";
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { UsageError } from "../_shared/errors.ts";
import { outputFrom } from "../_shared/output.ts";
import { download, writePrivate } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "snapshot",
    description: [
      "Download an export snapshot's CAR (admin, or the community's owner: the newest snapshot then counts as an owner export). Examples:",
      "  ofpds community snapshot 5f0c…-… -o gardeners.car",
      "  ofpds community snapshot 5f0c…-… -o gardeners.car --json   (prints {id, output, bytes, sha256})",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    id: { type: "positional", required: true, description: "The snapshot id (see `ofpds community snapshots <community>`)" },
    output: { type: "string", alias: "o", description: "Write the CAR to this file (0600); required" },
  },
  async run({ args }) {
    const id = args.id.trim();
    if (!id) throw new UsageError("Missing the snapshot id (see `ofpds community snapshots <community>`)");
    if (!args.output) throw new UsageError("Missing -o/--output <file>: a CAR file is binary");
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    client.requireSession();
    const bytes = await download(client, "GET", "net.openfederation.admin.getExportSnapshot", { params: { id }, auth: "access" });
    writePrivate(args.output, bytes);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    out.data({ id, output: args.output, bytes: bytes.byteLength, sha256 }, () => `Saved snapshot ${id} to ${args.output} (${bytes.byteLength} bytes, sha256 ${sha256})`);
  },
});
