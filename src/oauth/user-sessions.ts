// The account holder's view of its OAuth sessions (11 §9.2): list the live ones, revoke one or all of a client's.
import { and, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import type { Database } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { DomainError, invalidRequest } from "../errors.ts";
import { oauthSessions } from "./schema.ts";

export interface OAuthSessionView {
  id: string;
  clientId: string;
  clientHost: string;
  confidential: boolean;
  scope: string;
  createdAt: string;
  lastUsedAt?: string;
  expiresAt: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const hostOf = (clientId: string) => {
  try {
    return new URL(clientId).host;
  } catch {
    return clientId;
  }
};

export class OAuthUserSessions {
  constructor(private readonly deps: { db: Database; audit: AuditLog; now: () => number }) {}

  /** Newest first; the cursor is `<createdAt ms>:<id>` of the last row (keyset). */
  async list(did: string, limit: number, cursor?: string): Promise<{ sessions: OAuthSessionView[]; cursor?: string }> {
    const now = this.deps.now();
    let after;
    if (cursor !== undefined) {
      const m = /^(\d{1,16}):(oas_[0-9a-f]{32})$/.exec(cursor);
      if (!m) throw invalidRequest("Invalid cursor");
      const at = Number(m[1]);
      after = or(lt(oauthSessions.createdAt, at), and(eq(oauthSessions.createdAt, at), lt(oauthSessions.id, m[2]!)));
    }
    const rows = await this.deps.db.orm.select().from(oauthSessions)
      .where(and(eq(oauthSessions.did, did), isNull(oauthSessions.revokedAt), gt(oauthSessions.expiresAt, now), after))
      .orderBy(desc(oauthSessions.createdAt), desc(oauthSessions.id)).limit(limit + 1).all();
    const page = rows.slice(0, limit);
    const sessions = page.map((r) => ({
      id: r.id, clientId: r.clientId, clientHost: hostOf(r.clientId), confidential: false, scope: r.scope,
      createdAt: iso(r.createdAt), ...(r.lastUsedAt !== null ? { lastUsedAt: iso(r.lastUsedAt) } : {}), expiresAt: iso(r.expiresAt),
    }));
    const last = page[page.length - 1];
    return rows.length > limit && last ? { sessions, cursor: `${last.createdAt}:${last.id}` } : { sessions };
  }

  /** Exactly one of `id` (one session) or `clientId` (every session of that client); 404 when nothing live matched. */
  async revoke(did: string, input: { id?: string; clientId?: string }, ip?: string): Promise<number> {
    if ((input.id === undefined) === (input.clientId === undefined)) throw invalidRequest("Exactly one of id and clientId is required");
    const now = this.deps.now();
    const revoked = await this.deps.db.transaction(async (tx) => {
      const which = input.id !== undefined ? eq(oauthSessions.id, input.id) : eq(oauthSessions.clientId, input.clientId!);
      const rows = await tx.orm.update(oauthSessions).set({ revokedAt: now, revokedBy: "user" })
        .where(and(eq(oauthSessions.did, did), isNull(oauthSessions.revokedAt), which)).returning({ id: oauthSessions.id, clientId: oauthSessions.clientId }).all();
      for (const r of rows) await this.deps.audit.writeInTx(tx, { action: "oauth.session.revoke", actorType: "account", actorDid: did, targetDid: did, meta: { sid: r.id, clientId: r.clientId, by: "user" }, ip });
      return rows.length;
    });
    if (revoked === 0) throw new DomainError("notFound", "NotFound", "No such OAuth session");
    return revoked;
  }
}
