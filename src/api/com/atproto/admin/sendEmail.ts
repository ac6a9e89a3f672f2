// com.atproto.admin.sendEmail: staff (admin, moderator) mail a message to an account's address (10 §6).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../errors.ts";

export async function handler({ ctx, input, auth }: MethodArgs<"com.atproto.admin.sendEmail">): Promise<MethodResult<"com.atproto.admin.sendEmail">> {
  if (auth.kind !== "account") throw forbidden();
  return ctx.services.staffMessages.send(auth.did, input);
}
