// `ofpds auth app-passwords`: com.atproto.server.listAppPasswords for the saved session, newest first (10 §4).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { outputFrom } from "../_shared/output.ts";
import { table } from "../_shared/table.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type AppPasswordList = Output<"com.atproto.server.listAppPasswords">;

export default defineCommand({
  meta: {
    name: "app-passwords",
    description: ["List your app passwords (never the passwords themselves), newest first. Examples:", "  ofpds auth app-passwords", "  ofpds auth app-passwords --json"].join("\n"),
  },
  args: { ...globalArgs, ...clientArgs },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const r: AppPasswordList = await client.query("com.atproto.server.listAppPasswords");
    out.data(r, (v: AppPasswordList) =>
      v.passwords.length === 0
        ? "No app passwords"
        : table(v.passwords as never[], [
            ["NAME", "name"],
            ["PRIVILEGED", (p) => (p.privileged ? "yes" : "no")],
            ["CREATED", "createdAt"],
          ]),
    );
  },
});
