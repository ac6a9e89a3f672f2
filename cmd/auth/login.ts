// `ofpds auth login`: createSession, then save the tokens for this server (sessions.json, 0600).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom, type RequestBody } from "../_shared/client.ts";
import { canPrompt, readPassword } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { CliError, EXIT, UsageError } from "../_shared/errors.ts";
import type { SessionOutput } from "../../src/lexicon-types/extensions.ts";

export default defineCommand({
  meta: {
    name: "login",
    description: [
      "Log in and save the session for this server. Examples:",
      "  ofpds auth login -u admin                          (prompts for the password)",
      "  ofpds auth login -u admin --password-file ~/pw.txt -s https://pds.example.org",
      "  pass show pds | ofpds auth login -u admin@example.org --password-stdin",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    identifier: { type: "string", alias: "u", description: "Handle, name, email or DID" },
    "password-file": { type: "string", description: "Read the password from this file (one trailing newline is ignored)" },
    "password-stdin": { type: "boolean", description: "Read the password from stdin" },
    "allow-takendown": { type: "boolean", description: "Accept a restricted session for a suspended, disabled or taken-down account (to export data and migrate)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    let identifier = args.identifier?.trim();
    if (!identifier && !canPrompt(args)) {
      const missing = ["-u/--identifier"];
      if (!args["password-file"] && !args["password-stdin"]) missing.push("--password-file or --password-stdin");
      throw new UsageError(`Missing required arguments: ${missing.join(", ")}`);
    }
    if (!identifier) {
      const p = await import("@clack/prompts");
      const v = await p.text({ message: `Handle, email or DID on ${client.server}`, output: process.stderr });
      if (p.isCancel(v) || !v.trim()) throw new CliError("Cancelled", EXIT.usage, "Cancelled");
      identifier = v.trim();
    }
    const password = await readPassword(args, `Password for ${identifier}`);
    const body: RequestBody<"com.atproto.server.createSession"> = { identifier, password };
    if (args["allow-takendown"]) body.allowTakendown = true;
    const session: SessionOutput<"com.atproto.server.createSession"> = await client.procedure("com.atproto.server.createSession", body, "none");
    client.store.set(client.server, { did: session.did, handle: session.handle, accessJwt: session.accessJwt, refreshJwt: session.refreshJwt });
    // Tokens are saved, never printed.
    const { accessJwt: _a, refreshJwt: _r, ...shown } = session;
    if (session.active === false) out.warn(`The account is ${session.accountStatus ?? session.status ?? "inactive"}: this session can only read and export its own data`);
    out.data({ server: client.server, ...shown }, (s) => `Logged in to ${client.server} as ${s.handle} (${s.did})`);
  },
});
