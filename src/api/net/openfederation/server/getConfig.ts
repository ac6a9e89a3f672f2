// net.openfederation.server.getConfig: the server's safe configuration and stats for admins and auditors (06 §9).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { JSON_BODY_MAX_BYTES } from "../../../../xrpc/body.ts";

export async function handler({ ctx }: MethodArgs<"net.openfederation.server.getConfig">): Promise<MethodResult<"net.openfederation.server.getConfig">> {
  return ctx.services.serverConfig.view(JSON_BODY_MAX_BYTES);
}
