// com.atproto.identity.submitPlcOperation (02 §11): validate a holder-signed op against what keeps the DID hosted here, forward it, emit #identity.
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { DomainError } from "../../../../errors.ts";
import { invalidToken, upstreamFailure, XrpcError } from "../../../../xrpc/errors.ts";
import { PlcRejectedError, PlcUnavailableError, sanitise } from "../../../../identity/plc-client.ts";

export async function handler({ ctx, input, auth, req }: MethodArgs<"com.atproto.identity.submitPlcOperation">): Promise<MethodResult<"com.atproto.identity.submitPlcOperation">> {
  if (auth.kind !== "account") throw invalidToken();
  const { accounts, identity, sequencer, audit } = ctx.services;
  const row = await accounts.getRow(auth.did);
  if (!row) throw invalidToken();
  // Migrated in and awaiting approval (01 §3): the identity may not be pointed here until an operator approves.
  if (row.status === "pending" || (row.createdVia === "migration" && row.approvedAt === null && row.status === "deactivated")) {
    throw new XrpcError(403, "AccountNotApproved", "Account is awaiting approval");
  }
  const handle = accounts.handleOf(row);
  try {
    await identity.submitHolderOperation(auth.did, input.operation, handle);
  } catch (err) {
    if (err instanceof DomainError) throw err;
    req.logger.warn("plc holder operation failed", { did: auth.did, err: err instanceof Error ? err.message : String(err) });
    if (err instanceof PlcRejectedError) throw upstreamFailure(`PLC directory rejected the operation: ${sanitise(err.message)}`);
    if (err instanceof PlcUnavailableError) throw upstreamFailure("PLC directory unavailable; try again later");
    throw err;
  }
  await ctx.db.transaction(async (tx) => {
    await sequencer.identityInTx(tx, auth.did, handle);
    await audit.writeInTx(tx, { action: "identity.submitPlcOperation", actorType: "account", actorDid: auth.did, targetDid: auth.did, meta: {} });
  }, { lockKey: auth.did });
}
