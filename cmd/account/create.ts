// `ofpds account create`: an admin creates an approved account over XRPC (net.openfederation.admin.createAccount),
// or, with --data-dir, the first admin locally on a stopped server's data directory (bootstrap failed).
import { defineCommand } from "citty";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { clientArgs, dataDirArg, globalArgs } from "../_shared/args.ts";
import { clientFrom, exitCodeFor, type RequestBody } from "../_shared/client.ts";
import { canPrompt, readPassword, repeated } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { CliError, EXIT, UsageError } from "../_shared/errors.ts";
import { writePrivate } from "../community/_shared.ts";
import { loadConfig } from "../../src/config/index.ts";
import { DomainError } from "../../src/errors.ts";
import { httpStatusOf } from "../../src/xrpc/errors.ts";
import { ROTATION_KEY_FILE } from "../../src/account/bootstrap.ts";

export default defineCommand({
  meta: {
    name: "create",
    description: [
      "Create an approved account (no invite needed). Examples:",
      "  ofpds account create --handle carol --email carol@example.org --password-file pw.txt --key-out carol-key.json",
      "  pass show carol | ofpds account create --handle carol --email carol@example.org --password-stdin --role moderator --json",
      "The first admin, when the bootstrap failed (the server must be stopped; all five roles):",
      "  ofpds account create --data-dir /var/lib/ofpds --config /etc/ofpds/config.toml --handle admin --email me@example.org --password-file pw.txt",
      "Over XRPC you need an admin session; the account's primary rotation key is shown once (or written to --key-out).",
      "Locally it is written, like the bootstrap's, to <data dir>/bootstrap-admin-rotation-key.txt (0600) unless --key-out names another file.",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...dataDirArg,
    handle: { type: "string", alias: "n", description: "Name (becomes <name>.<handle domain>)" },
    email: { type: "string", description: "Email address" },
    "password-file": { type: "string", description: "Read the password from this file (one trailing newline is ignored)" },
    "password-stdin": { type: "boolean", description: "Read the password from stdin" },
    role: { type: "string", description: "PDS role to grant besides user (repeatable or comma-separated; XRPC mode)" },
    "rotation-key": { type: "string", description: "The holder's own did:key as primary rotation key (XRPC mode; then none is generated)" },
    "key-out": { type: "string", description: "Write the generated primary rotation key to this file (0600) instead of printing it" },
    config: { type: "string", description: "Config file (TOML), local mode only" },
    dev: { type: "boolean", description: "Development settings (as `serve --dev`), local mode only" },
  },
  async run({ args, rawArgs }) {
    const out = outputFrom(args);
    const local = args["data-dir"] !== undefined;
    const missing = [!args.handle && "--handle", !args.email && "--email", !args["password-file"] && !args["password-stdin"] && !canPrompt(args) && "--password-file or --password-stdin"].filter(Boolean);
    if (missing.length) throw new UsageError(`Missing required arguments: ${missing.join(", ")}`);
    const roles = repeated(rawArgs, "role");
    if (local && (roles.length || args["rotation-key"])) throw new UsageError("--role and --rotation-key apply over XRPC only: the local first admin gets all five roles and a generated key");
    if (!local && (args.config || args.dev)) throw new UsageError("--config and --dev apply to the local mode only (with --data-dir)");
    const keyOut = args["key-out"] ? resolve(args["key-out"]) : undefined;
    if (keyOut && existsSync(keyOut)) throw new CliError(`${keyOut} already exists; nothing was created\nChoose another --key-out file`, EXIT.conflict, "FileExists");

    if (local) {
      const { config, secrets } = loadConfig({ flags: { DATA_DIR: args["data-dir"]! }, dev: args.dev, configPath: args.config });
      const keyFile = keyOut ?? join(config.dataDir, ROTATION_KEY_FILE);
      if (existsSync(keyFile)) throw new CliError(`${keyFile} already exists (an earlier admin's rotation key?); nothing was created\nMove it somewhere safe first, or pass --key-out <file>`, EXIT.conflict, "FileExists");
      const password = await readPassword(args, `Password for ${args.handle}`);
      const { createAdminLocally } = await import("./_local-create.ts");
      let r;
      try {
        r = await createAdminLocally(config, secrets, { handle: args.handle!, email: args.email!, password, keyFile });
      } catch (err) {
        if (err instanceof DomainError) throw new CliError(`${err.message} (${err.error}); nothing was created`, exitCodeFor(httpStatusOf(err), err.error), err.error);
        throw err;
      }
      out.data(r, (x) => [
        `Created the admin ${x.handle} (${x.did}) with roles ${x.roles.join(", ")}`,
        ...(x.rotationKeyFile ? [`Primary rotation key written to ${x.rotationKeyFile} (0600): move it somewhere safe and delete the file`] : []),
        "Next: start the server and run `ofpds auth login -u " + x.handle + "`",
      ].join("\n"));
      return;
    }

    const client = clientFrom(args, out);
    client.requireSession();
    const password = await readPassword(args, `Password for ${args.handle}`);
    const body: RequestBody<"net.openfederation.admin.createAccount"> = { handle: args.handle!.replace(/^@/, "").toLowerCase(), email: args.email!, password };
    if (roles.length) body.roles = roles;
    if (args["rotation-key"]) body.rotationKey = args["rotation-key"];
    const r = await client.procedure("net.openfederation.admin.createAccount", body);
    if (keyOut && r.primaryRotationKey) {
      writePrivate(keyOut, JSON.stringify({ did: r.did, ...r.primaryRotationKey }, null, 2) + "\n");
      delete r.primaryRotationKey;
      out.success(`Primary rotation key written to ${keyOut} (0600): hand it to the account's holder; it is not shown again`);
    }
    out.data(r, (x) => {
      const lines = [`Created ${x.handle} (${x.did}), approved, roles ${x.roles.join(", ")}`];
      if (x.primaryRotationKey) {
        lines.push("", "Primary rotation key (shown only once; hand it to the account's holder):");
        lines.push(`  curve:         ${x.primaryRotationKey.curve}`, `  did:key:       ${x.primaryRotationKey.didKey}`, `  privateKeyHex: ${x.primaryRotationKey.privateKeyHex}`);
      }
      return lines.join("\n");
    });
  },
});
