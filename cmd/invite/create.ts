// `ofpds invite create`: net.openfederation.invite.create; prints the code (or the invite as JSON).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom, type RequestBody } from "../_shared/client.ts";
import { dateFlag, intFlag } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

export type Invite = Output<"net.openfederation.invite.create">;

export default defineCommand({
  meta: {
    name: "create",
    description: [
      "Create an invite code and print it. Examples:",
      "  ofpds invite create",
      "  ofpds invite create --max-uses 10 --expires 2026-12-31T00:00:00Z --note 'meetup'",
      "  ofpds invite create --bound-to alice@example.org --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    "max-uses": { type: "string", description: "How many registrations it allows, 1-1000 (default 1)" },
    expires: { type: "string", description: "Expiry as an ISO 8601 datetime, at most 365 days ahead" },
    "bound-to": { type: "string", description: "Only this email address may use it" },
    note: { type: "string", description: "A note for staff (at most 500 characters)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const body: RequestBody<"net.openfederation.invite.create"> = {};
    const maxUses = intFlag(args["max-uses"], "max-uses");
    if (maxUses !== undefined) body.maxUses = maxUses;
    const expiresAt = dateFlag(args.expires, "expires");
    if (expiresAt) body.expiresAt = expiresAt;
    if (args["bound-to"]) body.boundTo = args["bound-to"];
    if (args.note) body.note = args.note;
    const invite = await client.procedure("net.openfederation.invite.create", body);
    const limits = [`${invite.maxUses} use${invite.maxUses === 1 ? "" : "s"}`, invite.expiresAt && `expires ${invite.expiresAt}`, invite.boundTo && `bound to ${invite.boundTo}`].filter(Boolean);
    out.success(`Invite created (${limits.join(", ")})`);
    out.data(invite, (i) => i.code);
  },
});
