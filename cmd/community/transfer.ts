// `ofpds community transfer <did|handle>`: community.transfer (password, import ticket), then getTransferRepo; -o <dir> keeps transfer.json and repo.car (0600).
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { clientArgs, globalArgs, yesArg } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { UsageError } from "../_shared/errors.ts";
import { readPassword } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { communityArg, confirmArg, confirmTyped, download, getCommunity, normalizeRef, nsid, passwordArgs, writePrivate } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "transfer",
    description: [
      "Move a community you own to another server (run on this, the source server). Examples:",
      "  ofpds community import --did did:plc:abc123 --handle gardeners --source https://old.example -s https://new.example",
      "  ofpds community transfer gardeners --ticket <importTicket> -o ./gardeners-transfer",
      "  ofpds community import --import-id <id> --token-file ./gardeners-transfer/transfer.json -s https://new.example",
      "Writes are frozen here until the destination completes the import (or the transfer expires in 24 h).",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...clientArgs,
    ...yesArg,
    ...confirmArg,
    ...passwordArgs,
    ...communityArg,
    ticket: { type: "string", description: "The importTicket from `ofpds community import` on the destination" },
    output: { type: "string", alias: "o", description: "Directory for transfer.json and repo.car (0600; created if missing)" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    if (!args.ticket) throw new UsageError("Missing required arguments: --ticket\nRun `ofpds community import --did … --handle … --source …` on the destination server to get one");
    const dir = args.output;
    if (dir && existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`-o ${dir} is not a directory`);
    if (dir && (existsSync(join(dir, "transfer.json")) || existsSync(join(dir, "repo.car")))) throw new UsageError(`${dir} already holds a transfer package; choose an empty directory`);
    client.requireSession();
    const ref = await normalizeRef(client, args.community);
    // The token-authenticated getTransferRepo names the community by DID only.
    const { did } = (await confirmTyped(client, ref, args, "Transfer")) ?? (await getCommunity(client, ref));
    const password = await readPassword(args, "Your password (to confirm the transfer)");
    const r = await client.procedure(nsid("transfer"), { did, password, importTicket: args.ticket });
    if (dir) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writePrivate(join(dir, "transfer.json"), JSON.stringify({ did, ...r }, null, 2) + "\n");
      const car = await download(client, "POST", nsid("getTransferRepo"), { body: { did, transferToken: r.transferToken }, auth: "none" });
      writePrivate(join(dir, "repo.car"), car);
      out.success(`Wrote ${join(dir, "transfer.json")} and ${join(dir, "repo.car")} (${car.byteLength} bytes)`);
    } else {
      out.warn("No -o <dir>: the transfer token is printed below and is not shown again; no offline copy of the repository was saved");
    }
    out.data(r, () =>
      [
        `Transfer of ${args.community} to ${r.destination} started (expires ${r.expiresAt}); writes are frozen here.`,
        `Transfer token (shown once): ${r.transferToken}`,
        `Next, on the destination: ofpds community import --import-id <id> --token-file ${dir ? join(dir, "transfer.json") : "<file holding the token>"} -s ${r.destination}`,
        ...(r.instructions ? ["", r.instructions] : []),
      ].join("\n"),
    );
  },
});
