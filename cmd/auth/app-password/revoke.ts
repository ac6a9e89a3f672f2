// `ofpds auth app-password revoke <name>`: com.atproto.server.revokeAppPassword after a y/N confirmation (or -y); its sessions end at once.
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../../_shared/args.ts";
import { clientFrom } from "../../_shared/client.ts";
import { confirmAction } from "../../_shared/input.ts";
import { outputFrom } from "../../_shared/output.ts";

export default defineCommand({
  meta: {
    name: "revoke",
    description: [
      "Revoke an app password: apps signed in with it are signed out at once. An unknown name changes nothing. Examples:",
      "  ofpds auth app-password revoke phone",
      "  ofpds auth app-password revoke phone -y --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    name: { type: "positional", required: true, description: "The app password's name (case-insensitive)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    client.requireSession(); // before asking: a confirmation that then fails on login is wasted
    await confirmAction(args, `Revoke the app password "${args.name}"? Apps using it are signed out`);
    await client.procedure("com.atproto.server.revokeAppPassword", { name: args.name });
    out.data({ name: args.name, revoked: true }, () => `Revoked the app password "${args.name}" (if it existed)`);
  },
});
