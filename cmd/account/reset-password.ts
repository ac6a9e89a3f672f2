// `ofpds account reset-password <did|handle>`: com.atproto.admin.updateAccountPassword with a password from a file or stdin; every session ends.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { readPassword } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { toDid } from "./_target.ts";

export default defineCommand({
  meta: {
    name: "reset-password",
    description: [
      "Set a new password for another account (admin; never an account holding the admin role). Every session of the",
      "account ends and its login lockout is cleared. The password never goes on the command line. Examples:",
      "  ofpds account reset-password alice --password-file new-pass.txt",
      "  pass show alice | ofpds account reset-password did:plc:abc123 --password-stdin --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    account: { type: "positional", required: true, description: "Handle, DID or email of the account" },
    "password-file": { type: "string", description: "Read the new password from this file (one trailing newline is ignored)" },
    "password-stdin": { type: "boolean", description: "Read the new password from stdin" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    client.requireSession();
    const password = await readPassword(args, `New password for ${args.account}`);
    const did = await toDid(client, args.account);
    await client.procedure("com.atproto.admin.updateAccountPassword", { did, password });
    out.data({ did, passwordChanged: true, sessionsRevoked: true }, (r) => `New password set for ${args.account} (${r.did}); every session of the account has ended`);
  },
});
