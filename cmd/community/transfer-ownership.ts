// `ofpds community transfer-ownership <did|handle> --to <member>`: net.openfederation.community.transferOwnership (your password confirms it).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom, type RequestBody } from "../_shared/client.ts";
import { UsageError } from "../_shared/errors.ts";
import { readPassword } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { accountDid, communityArg, normalizeRef, nsid, passwordArgs } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "transfer-ownership",
    description: [
      "Hand a community you own to another member (you keep --previous-role, default moderator). Examples:",
      "  ofpds community transfer-ownership gardeners --to bob",
      "  ofpds community transfer-ownership gardeners --to did:plc:def456 --previous-role member --password-file ~/pw.txt --json",
      "  ofpds community transfer-ownership gardeners --to bob --new-owner-rotation-key did:key:zQ3sh…",
      "The primary rotation key does not move unless --new-owner-rotation-key is given (you can override within 72 h).",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...passwordArgs,
    ...communityArg,
    to: { type: "string", description: "Handle or DID of the new owner (must be a member)" },
    "previous-role": { type: "string", description: "Your role afterwards (role rkey; default moderator)" },
    "new-owner-rotation-key": { type: "string", description: "The new owner's did:key, to replace the primary rotation key in the PLC log" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    if (!args.to) throw new UsageError("Missing required arguments: --to");
    if (args["previous-role"] === "owner") throw new UsageError("--previous-role cannot be owner: a community has one owner");
    client.requireSession();
    const did = await normalizeRef(client, args.community);
    const newOwnerDid = await accountDid(client, args.to);
    const password = await readPassword(args, "Your password (to confirm the ownership transfer)");
    const body: RequestBody<"net.openfederation.community.transferOwnership"> = { did, newOwnerDid, password };
    if (args["previous-role"]) body.previousOwnerRole = args["previous-role"];
    if (args["new-owner-rotation-key"]) body.newOwnerRotationKey = args["new-owner-rotation-key"];
    const r = await client.procedure(nsid("transferOwnership"), body);
    out.data(r, () => `${args.community} now belongs to ${args.to} (${r.ownerDid}); your role: ${r.previousOwnerRole}${r.plcUpdated ? "; primary rotation key replaced in the PLC log" : ""}`);
  },
});
