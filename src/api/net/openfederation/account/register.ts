// net.openfederation.account.register: create an account through the shared creation routine (01 §8).
import type { HandlerArgs } from "../../../../xrpc/types.ts";

interface Input {
  handle: string;
  email: string;
  password: string;
  inviteCode?: string;
  rotationKey?: string;
}

export async function handler({ ctx, input, req }: HandlerArgs<unknown, Input>) {
  return ctx.services.accounts.create({ ...input, createdVia: "register", actor: { type: "anonymous", ip: req.ip } });
}
