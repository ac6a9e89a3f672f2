// net.openfederation.account.register: create an account through the shared creation routine (01 §8).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";

export async function handler({ ctx, input, req }: MethodArgs<"net.openfederation.account.register">): Promise<MethodResult<"net.openfederation.account.register">> {
  return ctx.services.accounts.create({ ...input, createdVia: "register", actor: { type: "anonymous", ip: req.ip } });
}
