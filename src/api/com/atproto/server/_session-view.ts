// Shared shape of createSession/refreshSession/getSession outputs: full handle, wire status, roles, accountStatus.
import type { AppContext } from "../../../../context.ts";
import type { AccountStatus } from "../../../../xrpc/types.ts";
import { wireStatus, type AccountRow } from "../../../../account/views.ts";

export async function sessionView(ctx: AppContext, row: AccountRow) {
  const status = row.status as AccountStatus;
  const wire = wireStatus(status);
  return {
    handle: ctx.services.accounts.handleOf(row),
    did: row.did,
    email: row.email,
    emailConfirmed: row.emailConfirmedAt !== null,
    active: status === "approved",
    ...(wire ? { status: wire } : {}),
    roles: await ctx.services.accounts.rolesOf(row.did),
    accountStatus: status,
  };
}
