// com.atproto.admin.getSubjectStatus: an account's or hosted community's moderation status, for staff (06 §1).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { invalidRequest } from "../../../../xrpc/errors.ts";

/** The lexicon output plus the ofpds extensions `accountStatus` and `statusChangedAt` (06 §1). */
type Out = MethodResult<"com.atproto.admin.getSubjectStatus"> & { accountStatus: string; statusChangedAt?: string };

export async function handler({ ctx, params }: MethodArgs<"com.atproto.admin.getSubjectStatus">): Promise<Out> {
  if (params.uri !== undefined || params.blob !== undefined) throw invalidRequest("unsupported subject: only did (an account or community) is supported");
  if (params.did === undefined) throw invalidRequest("did is required");
  return ctx.services.subjectStatus.get(params.did);
}
