// Authentication step of the pipeline. The seam for the auth issue: verify credentials per guard kind.
import type { AppContext } from "../context.ts";
import type { AuthGuard, AuthResult } from "./types.ts";

/** Guard kinds this build can verify; buildXrpcApp refuses a route table that uses any other kind. */
export const SUPPORTED_GUARDS: ReadonlySet<AuthGuard["kind"]> = new Set(["none"]);

/**
 * Establish the caller for a method. TODO(auth issue): an `Authorization` header that is present must be
 * verified for every guard, including `none` (401 when invalid, spec 00 §4); today it is ignored.
 */
export async function authenticate(guard: AuthGuard, _req: Request, _ctx: AppContext): Promise<AuthResult> {
  switch (guard.kind) {
    case "none":
      return { kind: "anonymous" };
    default:
      throw new Error(`auth guard "${guard.kind}" has no verifier yet`);
  }
}
