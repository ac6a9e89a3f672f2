// com.atproto.identity.signPlcOperation: with the mailed token, an operation on the DID's head signed by the recovery key, unsubmitted (10 §5.3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidRequest } from "../../../../xrpc/errors.ts";
import { fullSessionDid } from "../server/_full-session.ts";

export async function handler({ ctx, auth, input }: MethodArgs<"com.atproto.identity.signPlcOperation">): Promise<MethodResult<"com.atproto.identity.signPlcOperation">> {
  const did = fullSessionDid(auth);
  if (!input.token) throw invalidRequest("token is required (requestPlcOperationSignature mails it)");
  const { operation } = await ctx.services.plcSignatures.sign(did, { ...input, token: input.token });
  return { operation };
}
