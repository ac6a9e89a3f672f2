// `ofpds partner create-key`: net.openfederation.partner.createKey; prints the raw key, which the server shows only once.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom, type RequestBody } from "../_shared/client.ts";
import { intFlag, repeated } from "../_shared/input.ts";
import { UsageError } from "../_shared/errors.ts";
import { outputFrom } from "../_shared/output.ts";

/** `-o a -o b` as well as `--origin a --origin b`: citty keeps only the last value, so the raw arguments are read. */
const originsOf = (rawArgs: string[]) => repeated(rawArgs.map((a) => (a === "-o" ? "--origin" : a.startsWith("-o=") ? `--origin=${a.slice(3)}` : a)), "origin");

export default defineCommand({
  meta: {
    name: "create-key",
    description: [
      "Create a partner API key and print it (shown only once: store it now). Examples:",
      "  ofpds partner create-key -n web -p 'Game Co' -o https://game.example.com",
      "  ofpds partner create-key --name backend --partner-name 'Game Co' --origin https://game.example.com --origin https://www.game.example.com --rate-limit 500",
      "  ofpds partner create-key -n web -p 'Game Co' -o https://game.example.com --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    name: { type: "string", alias: "n", description: "Key name, for staff (1-255 characters)" },
    "partner-name": { type: "string", alias: "p", description: "The partner's name (1-255 characters; kept in the audit log)" },
    origin: { type: "string", alias: "o", description: "Allowed browser origin https://host[:port] (repeatable, or comma-separated; 1-20)" },
    "rate-limit": { type: "string", alias: "r", description: "Registrations per hour, 1-10000 (default: the server's PARTNER_DEFAULT_RATE_LIMIT)" },
  },
  async run({ args, rawArgs }) {
    const out = outputFrom(args);
    const origins = originsOf(rawArgs);
    const missing = [!args.name && "--name", !args["partner-name"] && "--partner-name", origins.length === 0 && "--origin"].filter(Boolean);
    if (missing.length > 0) throw new UsageError(`Missing required arguments: ${missing.join(", ")}\nExample: ofpds partner create-key -n web -p 'Game Co' -o https://game.example.com`);
    const client = clientFrom(args, out);
    const body: RequestBody<"net.openfederation.partner.createKey"> = { name: args.name!, partnerName: args["partner-name"]!, allowedOrigins: origins };
    const rate = intFlag(args["rate-limit"], "rate-limit", 10_000);
    if (rate !== undefined) body.rateLimitPerHour = rate;
    const key = await client.procedure("net.openfederation.partner.createKey", body);
    out.success(`Partner key ${key.keyPrefix}… created for ${key.partnerName} (${key.name}; ${key.rateLimitPerHour}/h; ${key.allowedOrigins.join(", ")}); id ${key.id}`);
    out.info("The key is shown only this once: store it now (the server keeps only its hash)");
    out.data(key, (k) => k.key);
  },
});
