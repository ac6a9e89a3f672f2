// `ofpds auth app-password create <name>`: com.atproto.server.createAppPassword; the password is printed once, never stored.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../../_shared/args.ts";
import { clientFrom } from "../../_shared/client.ts";
import { outputFrom } from "../../_shared/output.ts";
import type { Output } from "../../../src/lexicon-types/index.ts";

type Created = Output<"com.atproto.server.createAppPassword">;

export default defineCommand({
  meta: {
    name: "create",
    description: [
      "Create an app password for a client app; it is shown once. Needs a full session (not an app password). Examples:",
      "  ofpds auth app-password create phone",
      "  ofpds auth app-password create 'chat client' --privileged --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    name: { type: "positional", required: true, description: "A name to recognise it by (1-64 characters, unique per account)" },
    privileged: { type: "boolean", description: "Also allow chat and migration service tokens (com.atproto.appPassPrivileged)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const r: Created = await client.procedure("com.atproto.server.createAppPassword", { name: args.name, privileged: Boolean(args.privileged) });
    out.data(r, (v: Created) => v.password);
    if (!out.json) out.info(`App password "${r.name}"${r.privileged ? " (privileged)" : ""} created. It is shown only this once: store it in the app now.`);
  },
});
