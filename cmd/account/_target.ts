// Account arguments: tell a DID, an email and a handle apart, and find an account's list entry.
import type { XrpcClient } from "../_shared/client.ts";
import { CliError, EXIT, UsageError } from "../_shared/errors.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

export type AccountView = Output<"net.openfederation.account.list">["users"][number];

export type AccountList = Output<"net.openfederation.account.list">;

export type Target = { did: string } | { email: string } | { handle: string };

/** `did:…` → did; `x@y` → email; anything else → handle (a bare name or a full handle). */
export function parseTarget(input: string): Target {
  const v = input.trim();
  if (!v) throw new UsageError("Missing the account: give a handle, DID or email");
  if (v.startsWith("did:")) return { did: v };
  if (/^[^@\s]+@[^@\s]+$/.test(v)) return { email: v.toLowerCase() };
  return { handle: v.replace(/^@/, "").toLowerCase() };
}

const LIST = "net.openfederation.account.list";

/** Finds the account through account.list (staff): by name search for handles and emails, by paging for DIDs. */
export async function findAccount(client: XrpcClient, input: string): Promise<AccountView> {
  const t = parseTarget(input);
  let match: AccountView | undefined;
  if ("did" in t) {
    let cursor: string | undefined;
    do {
      const page = await client.query(LIST, { limit: 100, cursor });
      match = page.users.find((u) => u.did === t.did);
      cursor = page.cursor;
    } while (!match && cursor);
  } else if ("email" in t) {
    const page = await client.query(LIST, { q: t.email, limit: 100 });
    match = page.users.find((u) => u.email?.toLowerCase() === t.email);
  } else {
    const name = t.handle.split(".")[0]!;
    const page = await client.query(LIST, { q: name, limit: 100 });
    match = page.users.find((u) => u.handle === t.handle) ?? (t.handle.includes(".") ? undefined : page.users.find((u) => u.handle.split(".")[0] === t.handle));
  }
  if (!match) throw new CliError(`No account ${input} on ${client.server} (NotFound)\nCheck the handle, DID or email with \`ofpds account list --search <text>\``, EXIT.notFound, "NotFound");
  return match;
}

/** A DID for flags that take one (`--actor`, `--target`): DIDs pass through, anything else is looked up. */
export async function toDid(client: XrpcClient, input: string): Promise<string> {
  return input.startsWith("did:") ? input : (await findAccount(client, input)).did;
}
