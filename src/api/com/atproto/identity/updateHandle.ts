// com.atproto.identity.updateHandle (02 §11): PLC alsoKnownAs update first, then name/handle, #identity and audit in one transaction.
import { and, eq, gt } from "drizzle-orm";
import { isValidHandle, isValidTld } from "@atproto/syntax";
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import type { AppContext } from "../../../../context.ts";
import { invalidRequest, invalidToken, rateLimitExceeded, upstreamFailure, XrpcError } from "../../../../xrpc/errors.ts";
import { nameProblem, normaliseName } from "../../../../account/rules.ts";
import { auditLog } from "../../../../audit/schema.ts";

/** 5 handle changes per account per rolling 24 h, counted from the audit log (so it survives restarts). */
export const HANDLE_CHANGES_PER_DAY = 5;
const DAY_MS = 24 * 60 * 60_000;
const notAvailable = (message: string) => new XrpcError(400, "HandleNotAvailable", message);

export async function handler({ ctx, input, auth, req }: MethodArgs<"com.atproto.identity.updateHandle">): Promise<MethodResult<"com.atproto.identity.updateHandle">> {
  if (auth.kind !== "account") throw invalidToken();
  const { accounts, communities, handles, identity, sequencer, audit } = ctx.services;
  const row = accounts.getRow(auth.did);
  if (!row) throw invalidToken();
  const oldHandle = accounts.handleOf(row);
  const target = parseTarget(ctx, input.handle);
  if (target.handle === oldHandle) return; // nothing to change: no PLC op, no event, not counted

  const holder = accounts.lookupRow(target.handle);
  if (holder && holder.status !== "rejected" && holder.did !== auth.did) throw notAvailable("Handle already taken");
  // Security: the name namespace is shared with communities (01 §4); a community's name is taken too
  if ("name" in target && communities.nameTaken(ctx.db.orm, target.name)) throw notAvailable("Handle already taken");
  if ("externalHandle" in target && (await handles.resolve(target.handle, { fresh: true })) !== auth.did) {
    throw notAvailable(`Handle does not resolve to your DID: publish did=${auth.did} at _atproto.${target.handle} (DNS TXT) or https://${target.handle}/.well-known/atproto-did`);
  }
  enforceDailyLimit(ctx, auth.did);

  try {
    await identity.submitHandleUpdate(auth.did, target.handle);
  } catch (err) {
    req.logger.warn("plc handle update failed", { did: auth.did, err: err instanceof Error ? err.message : String(err) });
    throw upstreamFailure("PLC directory did not accept the handle change; nothing was changed");
  }

  const applied = await ctx.db.transaction((tx) => {
    const next = "name" in target ? { name: target.name } : { externalHandle: target.handle };
    if (!accounts.setHandleInTx(tx, auth.did, next)) return false;
    sequencer.identityInTx(tx, auth.did, target.handle);
    audit.writeInTx(tx, { action: "account.handle.update", actorType: "account", actorDid: auth.did, targetDid: auth.did, meta: { old: oldHandle, new: target.handle } });
    return true;
  });
  if (!applied) {
    // Taken between the check and the transaction (after PLC accepted): point PLC back at the old handle.
    await identity.submitHandleUpdate(auth.did, oldHandle).catch((err) =>
      req.logger.error("reverting the PLC handle after a lost race failed", { did: auth.did, err: err instanceof Error ? err.message : String(err) }),
    );
    throw notAvailable("Handle already taken");
  }
  handles.forget(oldHandle);
  handles.forget(target.handle);
}

type Target = { handle: string; name: string } | { handle: string; externalHandle: true };

/** Local name, full local handle, or an external domain; 400 InvalidRequest for syntax and reserved names. */
function parseTarget(ctx: AppContext, raw: string): Target {
  const domain = ctx.config.handleDomain.toLowerCase();
  const v = raw.trim().toLowerCase().replace(/\.$/, "");
  const local = !v.includes(".") || v.endsWith(`.${domain}`);
  if (local) {
    const name = normaliseName(v, domain);
    if (name.includes(".")) throw invalidRequest(`Handles under ${domain} have exactly one label before the domain`);
    const problem = nameProblem(name, domain);
    if (problem) throw invalidRequest(problem);
    return { handle: `${name}.${domain}`, name };
  }
  if (!isValidHandle(v)) throw invalidRequest("Handle is not a valid AT Protocol handle");
  if (!isValidTld(v)) throw invalidRequest("Handle uses a reserved top-level domain");
  if (v === domain || v === ctx.config.hostname.toLowerCase()) throw invalidRequest("Handle is reserved");
  return { handle: v, externalHandle: true };
}

function enforceDailyLimit(ctx: AppContext, did: string): void {
  const since = new Date(Date.now() - DAY_MS).toISOString();
  const recent = ctx.db.orm
    .select({ at: auditLog.createdAt })
    .from(auditLog)
    .where(and(eq(auditLog.action, "account.handle.update"), eq(auditLog.targetDid, did), gt(auditLog.createdAt, since)))
    .orderBy(auditLog.createdAt)
    .all();
  if (recent.length < HANDLE_CHANGES_PER_DAY) return;
  const retryAfterSec = Math.max(1, Math.ceil((Date.parse(recent[0]!.at) + DAY_MS - Date.now()) / 1000));
  throw rateLimitExceeded(retryAfterSec);
}
