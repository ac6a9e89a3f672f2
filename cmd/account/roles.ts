// `ofpds account roles <did|handle>`: show PDS roles, or change them with net.openfederation.account.updateRoles.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { repeated } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { findAccount } from "./_target.ts";

export default defineCommand({
  meta: {
    name: "roles",
    description: [
      "Show or change an account's PDS roles (admin, moderator, partner-manager, auditor, user). Examples:",
      "  ofpds account roles alice",
      "  ofpds account roles alice --add moderator --add auditor",
      "  ofpds account roles did:plc:abc123 --remove moderator --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    account: { type: "positional", required: true, description: "Handle or DID of the account" },
    add: { type: "string", description: "Role to grant (repeatable, or comma-separated)" },
    remove: { type: "string", description: "Role to take away (repeatable, or comma-separated)" },
  },
  async run({ args, rawArgs }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const addRoles = repeated(rawArgs, "add");
    const removeRoles = repeated(rawArgs, "remove");
    const account = await findAccount(client, args.account);
    const human = (r: { handle: string; roles: string[] }) => `${r.handle}: ${r.roles.join(", ") || "-"}`;
    if (addRoles.length === 0 && removeRoles.length === 0) {
      out.data({ did: account.did, handle: account.handle, roles: account.roles }, human);
      return;
    }
    const r = await client.procedure("net.openfederation.account.updateRoles", { did: account.did, addRoles, removeRoles });
    out.success(`Updated roles of ${r.handle}`);
    out.data(r, human);
  },
});
