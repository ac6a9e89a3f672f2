// Account statuses whose handles resolve, and GET /.well-known/atproto-did by Host (02 §6).
import type { HandleResolver } from "../identity/handle-resolver.ts";

const RESOLVABLE = new Set(["approved", "deactivated", "disabled", "suspended"]);
/** Whether a handle of an account in this status resolves (02 §6). */
export const isResolvableStatus = (status: string): boolean => RESOLVABLE.has(status);

/** GET /.well-known/atproto-did by Host: 200 text/plain DID, else 404. */
export async function atprotoDidResponse(deps: { handleDomain: string; handles: Pick<HandleResolver, "resolve"> }, host: string | null): Promise<Response> {
  const name = (host ?? "").toLowerCase().replace(/:\d+$/, "");
  const suffix = `.${deps.handleDomain}`;
  // Only local names answer here; the resolver's local branch covers accounts and communities alike.
  const did = name.endsWith(suffix) && !name.slice(0, -suffix.length).includes(".") ? await deps.handles.resolve(name) : undefined;
  if (!did) return new Response("Not Found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return new Response(did, { status: 200, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
