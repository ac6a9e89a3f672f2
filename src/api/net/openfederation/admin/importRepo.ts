// net.openfederation.admin.importRepo: restore a hosted repo from a CAR, or attach one to a prepared community import (06 §9).
import type { MethodArgs, MethodResult } from "../../../../xrpc/types.ts";
import { forbidden } from "../../../../xrpc/errors.ts";

export async function handler({ ctx, params, input, auth }: MethodArgs<"net.openfederation.admin.importRepo">): Promise<MethodResult<"net.openfederation.admin.importRepo">> {
  if (auth.kind !== "account") throw forbidden();
  return ctx.services.repoRestore.importRepo(auth.did, params, input.bytes);
}
