// com.atproto.server.createAccount: without `did` the shared creation routine with AT error names; with `did`
// migration in, authorised by a service-auth JWT from the DID itself (03 §8, 01 §3 T1–T3).
import type { HandlerArgs, MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { looksLikeServiceAuth } from "../../../../identity/service-auth.ts";
import { authRequired, invalidToken } from "../../../../xrpc/errors.ts";
import { CREATE_ACCOUNT_NSID, precheckCreateAccount, toCreateAccountError } from "../../../../account/lifecycle/index.ts";

/** The route guard (`none-or-service`) passes ES256K/ES256 tokens through unverified: they are verified here. */
async function serviceIssuer(ctx: HandlerArgs["ctx"], headers: Headers): Promise<string | undefined> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  if (!m || !looksLikeServiceAuth(m[1]!)) return undefined;
  return (await ctx.services.serviceAuth.verify(m[1]!, CREATE_ACCOUNT_NSID)).iss;
}

export async function handler({ ctx, input, req }: MethodArgs<"com.atproto.server.createAccount">): Promise<MethodResult<"com.atproto.server.createAccount">> {
  const { accounts, sessions, audit, lifecycle } = ctx.services;
  const iss = await serviceIssuer(ctx, req.headers);
  if (input.did !== undefined) {
    if (iss === undefined) throw authRequired("Migration needs a service-auth token issued by the DID");
    if (iss !== input.did) throw invalidToken("Service token issuer does not match did");
    return lifecycle.createMigrated({ ...input, did: input.did, ip: req.ip });
  }
  precheckCreateAccount(input, { handleDomain: ctx.config.handleDomain, inviteRequired: ctx.config.inviteRequired });
  const created = await accounts
    .create({
      handle: input.handle,
      email: input.email!,
      password: input.password!,
      ...(input.inviteCode ? { inviteCode: input.inviteCode } : {}),
      ...(input.recoveryKey ? { rotationKey: input.recoveryKey } : {}),
      createdVia: "createAccount",
      actor: { type: "anonymous", ip: req.ip },
    })
    .catch((err) => {
      throw toCreateAccountError(err);
    });
  // A pending account gets a queued session (01 §9.3); an approved one a normal session.
  const scope = created.status === "pending" ? "com.atproto.signupQueued" : "com.atproto.access";
  const s = await ctx.db.transaction(async (tx) => {
    const s = await sessions.createInTx(tx, created.did, scope);
    await audit.writeInTx(tx, { action: "session.create", actorType: "account", actorDid: created.did, targetDid: created.did, meta: { sid: s.sid, restricted: false }, ip: req.ip });
    return s;
  });
  return {
    accessJwt: s.accessJwt,
    refreshJwt: s.refreshJwt,
    handle: created.handle,
    did: created.did,
    ...(created.primaryRotationKey ? { primaryRotationKey: created.primaryRotationKey } : {}),
  };
}
