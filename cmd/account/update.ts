// `ofpds account update <did|handle>`: com.atproto.admin.updateAccountHandle / Email / Password (10 §6), one call per flag given.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { readPassword } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { UsageError } from "../_shared/errors.ts";
import { toDid } from "./_target.ts";
import { handleDomain } from "../community/_shared.ts";

export default defineCommand({
  meta: {
    name: "update",
    description: [
      "Change another account's handle, email or password (admin; never an account holding the admin role). Examples:",
      "  ofpds account update alice --handle alicia",
      "  ofpds account update did:plc:abc123 --email new@example.org --json",
      "  pass show alice | ofpds account update alice --password-stdin      (every session of alice ends)",
      "Prints one document {did, handle?, email?, passwordChanged?} with what was changed.",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    account: { type: "positional", required: true, description: "Handle, DID or email of the account" },
    handle: { type: "string", description: "New handle: a name, a full local handle, or an external domain resolving to the account's DID" },
    email: { type: "string", description: "New email address" },
    "password-file": { type: "string", description: "Read the new password from this file (one trailing newline is ignored)" },
    "password-stdin": { type: "boolean", description: "Read the new password from stdin" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const setsPassword = Boolean(args["password-file"] || args["password-stdin"]);
    if (args.handle === undefined && args.email === undefined && !setsPassword) {
      throw new UsageError("Missing required arguments: at least one of --handle, --email, --password-file or --password-stdin");
    }
    const client = clientFrom(args, out);
    client.requireSession();
    // the password is read before any change, so a bad file changes nothing
    const password = setsPassword ? await readPassword(args, "New password") : undefined;
    const did = await toDid(client, args.account);
    const changed: { did: string; handle?: string; email?: string; passwordChanged?: true } = { did };
    try {
      if (args.handle !== undefined) {
        // a bare name gets the server's handle domain: the lexicon's `handle` format needs a full handle
        const raw = args.handle.trim().replace(/^@/, "").toLowerCase();
        const handle = raw.includes(".") ? raw : `${raw}${await handleDomain(client)}`;
        await client.procedure("com.atproto.admin.updateAccountHandle", { did, handle });
        changed.handle = handle;
      }
      if (args.email !== undefined) {
        await client.procedure("com.atproto.admin.updateAccountEmail", { account: did, email: args.email });
        changed.email = args.email.trim().toLowerCase();
      }
      if (password !== undefined) {
        await client.procedure("com.atproto.admin.updateAccountPassword", { did, password });
        changed.passwordChanged = true;
      }
    } catch (err) {
      // the calls run in order (handle, email, password); say what already changed before the error is reported
      const done = Object.keys(changed).filter((k) => k !== "did");
      if (done.length) out.warn(`Already changed before the failure: ${done.join(", ")}`);
      throw err;
    }
    out.data(changed, (c) =>
      [
        `Updated ${args.account} (${c.did})`,
        ...(c.handle ? [`  handle   ${c.handle}`] : []),
        ...(c.email ? [`  email    ${c.email}`] : []),
        ...(c.passwordChanged ? ["  password changed; every session of the account has ended"] : []),
      ].join("\n"),
    );
  },
});
