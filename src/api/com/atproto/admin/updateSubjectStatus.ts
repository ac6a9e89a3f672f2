// com.atproto.admin.updateSubjectStatus: suspend/unsuspend/takedown/untakedown an account or hosted community (06 §1).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";
import type { SubjectStatusInput } from "../../../../account/subject-status.ts";

/** The lexicon output plus the ofpds extensions `deactivated` and `accountStatus` (06 §1). */
type Out = MethodResult<"com.atproto.admin.updateSubjectStatus"> & { deactivated: { applied: boolean; ref?: string }; accountStatus: string };

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.admin.updateSubjectStatus">): Promise<Out> {
  if (auth.kind !== "account") throw forbidden();
  return ctx.services.subjectStatus.update({ did: auth.did, roles: auth.roles }, input as SubjectStatusInput);
}
