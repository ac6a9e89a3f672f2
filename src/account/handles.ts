// Local handle → DID for resolveHandle and /.well-known/atproto-did (02 §6): only resolvable statuses answer.
import type { AppContext } from "../context.ts";

const RESOLVABLE = new Set(["approved", "deactivated", "disabled", "suspended"]);
/** Whether a handle of an account in this status resolves (02 §6). */
export const isResolvableStatus = (status: string): boolean => RESOLVABLE.has(status);

export function resolveLocalHandle(ctx: AppContext, handle: string): string | undefined {
  const h = handle.trim().toLowerCase();
  const suffix = `.${ctx.config.handleDomain}`;
  if (!h.endsWith(suffix) || h.slice(0, -suffix.length).includes(".")) return undefined;
  const row = ctx.services.accounts.lookupRow(h);
  return row && RESOLVABLE.has(row.status) ? row.did : undefined;
}

/** GET /.well-known/atproto-did by Host: 200 text/plain DID, else 404. */
export function atprotoDidResponse(ctx: AppContext, host: string | null): Response {
  const name = (host ?? "").toLowerCase().replace(/:\d+$/, "");
  const suffix = `.${ctx.config.handleDomain}`;
  const did = name.endsWith(suffix) && !name.slice(0, -suffix.length).includes(".") ? resolveLocalHandle(ctx, name) : undefined;
  if (!did) return new Response("Not Found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return new Response(did, { status: 200, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
