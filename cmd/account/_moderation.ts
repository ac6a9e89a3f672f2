// Shared pieces of `ofpds account suspend|unsuspend|takedown|untakedown`: one com.atproto.admin.updateSubjectStatus call, typed-handle confirmation.
import type { XrpcClient } from "../_shared/client.ts";
import { clientFrom } from "../_shared/client.ts";
import { CliError, EXIT, UsageError } from "../_shared/errors.ts";
import { canPrompt } from "../_shared/input.ts";
import { outputFrom } from "../_shared/output.ts";
import { findAccount, toDid, type AccountView } from "./_target.ts";

const UPDATE = "com.atproto.admin.updateSubjectStatus";

/** The updateSubjectStatus answer with the ofpds `accountStatus` extension (06 §1). */
export type SubjectStatus = { subject: { did: string }; takedown?: { applied: boolean; ref?: string }; deactivated?: { applied: boolean; ref?: string }; accountStatus: string };

export const accountArg = {
  account: { type: "positional", required: true, description: "Handle, DID or email of the account" },
} as const;

export const reasonArg = {
  reason: { type: "string", description: "Why (at most 1000 characters; kept with the account and in the audit log)" },
} as const;

/** The `--confirm <handle>` flag of `account takedown` (a severe verb, 08 §1). */
export const confirmArg = {
  confirm: { type: "string", description: "The account's handle, typed to confirm without a prompt" },
} as const;

/** The common prologue: output, a client with a saved session (checked before any prompt), the target's DID. */
export async function openAccountCommand(args: { account: string; server?: string; timeout?: string; json?: boolean; quiet?: boolean; color?: boolean }) {
  const out = outputFrom(args);
  const client = clientFrom(args, out);
  client.requireSession();
  const did = await toDid(client, args.account);
  return { out, client, did };
}

/** Sends one transition: `deactivated` (suspend/unsuspend) or `takedown` (takedown/untakedown), `applied` and the reason. */
export async function updateStatus(client: XrpcClient, did: string, kind: "deactivated" | "takedown", applied: boolean, reason?: string): Promise<SubjectStatus> {
  const attr = { applied, ...(reason ? { ref: reason } : {}) };
  const body = { subject: { $type: "com.atproto.admin.defs#repoRef" as const, did }, [kind]: attr };
  return (await client.procedure(UPDATE, body)) as unknown as SubjectStatus;
}

const names = (a: AccountView, typed: string) => {
  const t = typed.trim().replace(/^@/, "").toLowerCase();
  return t === a.handle.toLowerCase() || t === a.did || t === a.handle.toLowerCase().split(".")[0];
};

/**
 * Confirmation for a severe verb (08 §1): `--yes` skips it, `--confirm <handle>` must name the account, otherwise
 * the handle is typed at a prompt. Without a terminal and without either → exit 2, before anything is sent.
 */
export async function confirmTypedHandle(client: XrpcClient, input: string, args: { yes?: boolean; confirm?: string; input?: boolean }, action: string): Promise<void> {
  if (args.yes) return;
  if (args.confirm === undefined && !canPrompt(args)) {
    throw new UsageError(`${action} ${input} needs confirmation, and there is no terminal to ask on\nPass --confirm <handle> (or -y/--yes) to confirm`);
  }
  const account = await findAccount(client, input);
  if (args.confirm !== undefined) {
    if (!names(account, args.confirm)) throw new UsageError(`--confirm ${args.confirm} does not match the account ${account.handle}; nothing was changed\nPass --confirm ${account.handle}`);
    return;
  }
  const p = await import("@clack/prompts");
  const typed = await p.text({ message: `${action} ${account.handle} (${account.did})? Type the handle to confirm`, placeholder: account.handle, output: process.stderr });
  if (p.isCancel(typed) || !names(account, String(typed ?? ""))) throw new CliError("The handle did not match; nothing was changed", EXIT.usage, "Cancelled");
}
