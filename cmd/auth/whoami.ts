// `ofpds auth whoami`: getSession for the saved session (refreshing it when needed).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { outputFrom } from "../_shared/output.ts";
import type { SessionOutput } from "../../src/lexicon-types/extensions.ts";

export default defineCommand({
  meta: { name: "whoami", description: "Show the account of the saved session. Examples: ofpds auth whoami · ofpds auth whoami --json -s https://pds.example.org" },
  args: { ...globalArgs, ...clientArgs },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const s: SessionOutput<"com.atproto.server.getSession"> = await client.query("com.atproto.server.getSession");
    out.data(s, () =>
      [
        `handle   ${s.handle}`,
        `did      ${s.did}`,
        `email    ${s.email ?? "-"}`,
        `status   ${s.accountStatus ?? s.status ?? (s.active === false ? "inactive" : "active")}`,
        `roles    ${(s.roles ?? []).join(", ") || "-"}`,
        `server   ${client.server}`,
      ].join("\n"),
    );
  },
});
