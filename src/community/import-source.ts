// Transfer to another server, destination side (04 §8): calls to the source server, the fresh DID document and the
// reserved keys, used by ./import.ts (prepareImport, completeImport).
import { and, eq } from "drizzle-orm";
import type { Keypair } from "@atproto/crypto";
import type { DidDocument } from "../identity/plc-client.ts";
import { identityKeys } from "../identity/schema.ts";
import { upstreamFailure, DomainError } from "../errors.ts";
import { postXrpc } from "./transfer-client.ts";
import { transferNotFound } from "./transfer.ts";
import { fetchWebDidDocument } from "./did-web.ts";
import type { ImportDeps } from "./import.ts";

const NS = "net.openfederation.community";

/** What these helpers get from CommunityImportService. */
export interface ImportCtx {
  deps: ImportDeps;
  retryDelaysMs: number[];
  /** confirmTransfer retries still running */
  pendingConfirms: Set<Promise<void>>;
}

/** First confirmTransfer attempt now; on failure, retries after each delay (in memory: a restart forgets them). */
export function confirmWithRetries(ctx: ImportCtx, source: string, body: { did: string; transferToken: string }): void {
  const p = (async () => {
    for (let i = 0; i <= ctx.retryDelaysMs.length; i++) {
      try {
        const r = await postXrpc(ctx.deps.fetchPolicy, source, `${NS}.confirmTransfer`, body, { maxBytes: 64 * 1024 });
        if (r.status === 200) return;
        // 404: already confirmed, cancelled or expired; nothing more to do
        if (r.status === 404) return;
      } catch {
        // network: retry
      }
      const wait = ctx.retryDelaysMs[i];
      if (wait === undefined) break;
      await Bun.sleep(wait);
    }
    ctx.deps.logger.warn("confirmTransfer was not accepted by the source", { did: body.did, source });
  })();
  ctx.pendingConfirms.add(p);
  void p.finally(() => ctx.pendingConfirms.delete(p));
}

/** A fresh DID document: did:web from https://<domain>/.well-known/did.json under the fetch policy, plc from the directory. */
export function freshDocument(ctx: ImportCtx, did: string): Promise<DidDocument | null> {
  return did.startsWith("did:web:") ? fetchWebDidDocument(ctx.deps.fetchPolicy, did) : ctx.deps.plc.getDocument(did, { fresh: true });
}

/** POST to the source under the fetch policy; 404 → TransferNotFound, other failures → 502. */
export async function callSource(ctx: ImportCtx, source: string, method: string, body: unknown, maxBytes: number) {
  let r;
  try {
    r = await postXrpc(ctx.deps.fetchPolicy, source, `${NS}.${method}`, body, { maxBytes, timeoutMs: 60_000 });
  } catch {
    throw upstreamFailure(`Could not reach the source server (${method})`);
  }
  if (r.status === 404) throw transferNotFound();
  if (r.status !== 200) throw upstreamFailure(`The source server refused ${method} (${r.status})`);
  return r;
}

/** A reserved key of the import, decrypted from the vault. */
export async function keypair(ctx: ImportCtx, did: string, purpose: "identity.signing-key" | "identity.recovery-key"): Promise<Keypair> {
  const row = await ctx.deps.db.orm.select({ ciphertext: identityKeys.ciphertext }).from(identityKeys)
    .where(and(eq(identityKeys.did, did), eq(identityKeys.purpose, purpose))).get();
  if (!row) throw new DomainError("internal", "InternalServerError", "An internal error occurred");
  return ctx.deps.keys.decryptKeypair(purpose, did, row.ciphertext);
}
