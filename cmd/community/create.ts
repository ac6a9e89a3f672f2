// `ofpds community create`: net.openfederation.community.create; the primary rotation key is shown once or written to --key-out (0600).
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom, type RequestBody } from "../_shared/client.ts";
import { CliError, EXIT, UsageError } from "../_shared/errors.ts";
import { canPrompt } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { nsid, writePrivate } from "./_shared.ts";

const oneOf = (flag: string, value: string | undefined, allowed: string[]) => {
  if (value !== undefined && !allowed.includes(value)) throw new UsageError(`--${flag} must be ${allowed.join(" or ")} (got ${value})`);
  return value;
};

/** Asks for the missing handle and DID method on a terminal; without one, lists every missing flag (exit 2). */
async function askMissing(args: { handle?: string; method?: string; domain?: string; input?: boolean }) {
  const missing = [!args.handle && "--handle", !args.method && "--method"].filter(Boolean) as string[];
  if (missing.length === 0) return;
  if (!canPrompt(args)) throw new UsageError(`Missing required arguments: ${missing.join(", ")}\nExample: ofpds community create --handle gardeners --method plc`);
  const p = await import("@clack/prompts");
  const cancelled = () => new CliError("Cancelled; nothing was created", EXIT.usage, "Cancelled");
  if (!args.handle) {
    const v = await p.text({ message: "Community name (handle)", placeholder: "gardeners", output: process.stderr });
    if (p.isCancel(v) || !v) throw cancelled();
    args.handle = String(v);
  }
  if (!args.method) {
    const v = await p.select({ message: "DID method", options: [{ value: "plc", label: "did:plc (portable, recommended)" }, { value: "web", label: "did:web (on a domain you control)" }], output: process.stderr });
    if (p.isCancel(v)) throw cancelled();
    args.method = String(v);
  }
  if (args.method === "web" && !args.domain) {
    const v = await p.text({ message: "Domain that will publish the DID document", placeholder: "gardeners.example.org", output: process.stderr });
    if (p.isCancel(v) || !v) throw cancelled();
    args.domain = String(v);
  }
}

export default defineCommand({
  meta: {
    name: "create",
    description: [
      "Create a community you own. Examples:",
      "  ofpds community create -n gardeners -m plc -d 'Gardeners' --key-out gardeners-key.json",
      "  ofpds community create -n gardeners -m web --domain gardeners.example.org --json",
      "  ofpds community create -n club -m plc --visibility private --rotation-key did:key:zQ3sh…",
      "For did:plc without --rotation-key the server generates your primary rotation key and shows it",
      "once: keep it safe (--key-out writes it to a 0600 file instead of printing it).",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    handle: { type: "string", alias: "n", description: "Community name (becomes <name>.<handle domain>)" },
    "display-name": { type: "string", alias: "d", description: "Display name (default: the name)" },
    description: { type: "string", description: "Description (at most 2000 characters)" },
    method: { type: "string", alias: "m", description: "DID method: plc or web" },
    domain: { type: "string", description: "Domain for did:web (required with --method web)" },
    visibility: { type: "string", description: "public (default) or private" },
    "join-policy": { type: "string", description: "open (default) or approval (always approval when private)" },
    "rotation-key": { type: "string", description: "Your own did:key as primary rotation key (plc only; then none is generated)" },
    "key-out": { type: "string", description: "Write the generated primary rotation key to this file (0600) instead of printing it" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    oneOf("method", args.method, ["plc", "web"]);
    oneOf("visibility", args.visibility, ["public", "private"]);
    oneOf("join-policy", args["join-policy"], ["open", "approval"]);
    if (!canPrompt(args)) await askMissing(args); // usage errors first: they need no server
    client.requireSession(); // before prompting: answers that then fail on login are wasted
    await askMissing(args);
    oneOf("method", args.method, ["plc", "web"]);
    if (args.method === "web" && !args.domain) throw new UsageError("Missing required arguments: --domain (did:web needs the domain that will publish the DID document)");
    if (args.method !== "web" && args.domain) throw new UsageError("--domain applies to --method web only");
    if (args.method === "web" && args["rotation-key"]) throw new UsageError("--rotation-key applies to --method plc only (did:web has no rotation keys)");
    const body: RequestBody<"net.openfederation.community.create"> = { handle: args.handle!.replace(/^@/, "").toLowerCase(), didMethod: args.method! };
    if (args.domain) body.domain = args.domain;
    if (args["display-name"] !== undefined) body.displayName = args["display-name"];
    if (args.description !== undefined) body.description = args.description;
    if (args.visibility) body.visibility = args.visibility;
    if (args["join-policy"]) body.joinPolicy = args["join-policy"];
    if (args["rotation-key"]) body.rotationKey = args["rotation-key"];
    const r = await client.procedure(nsid("create"), body);
    const keyOut = args["key-out"];
    if (keyOut && r.primaryRotationKey) {
      writePrivate(keyOut, JSON.stringify(r.primaryRotationKey, null, 2) + "\n");
      delete r.primaryRotationKey;
      out.success(`Primary rotation key written to ${keyOut} (0600): keep it safe, it is needed to migrate or recover the community and is not shown again`);
    } else if (keyOut) {
      out.warn(`No primary rotation key was generated, so nothing was written to ${keyOut}`);
    }
    out.data(r, () => {
      const lines = [`Created ${r.handle} (${r.did}): ${r.status}`];
      if (r.primaryRotationKey) {
        lines.push("", "Primary rotation key (shown only once; the operators of this server will never ask for it):");
        lines.push(`  curve:         ${r.primaryRotationKey.curve}`, `  did:key:       ${r.primaryRotationKey.didKey}`, `  privateKeyHex: ${r.primaryRotationKey.privateKeyHex}`);
      }
      if (r.didDocument) lines.push("", "DID document to publish:", JSON.stringify(r.didDocument, null, 2));
      if (r.instructions) lines.push("", r.instructions);
      return lines.join("\n");
    });
    if (r.message && !out.json) out.info(r.message);
  },
});
