// com.atproto.identity.requestPlcOperationSignature: mails a `plc_operation` token for signPlcOperation (10 §5.3).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { fullSessionDid } from "../server/_full-session.ts";

export async function handler({ ctx, auth }: MethodArgs<"com.atproto.identity.requestPlcOperationSignature">): Promise<MethodResult<"com.atproto.identity.requestPlcOperationSignature">> {
  await ctx.services.plcSignatures.request(fullSessionDid(auth));
}
