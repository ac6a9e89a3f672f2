// AuditLog: one row per action, written in the action's own transaction (spec 06 §8); newest-first keyset listing.
import { and, count, desc, eq, gte, lt, lte, sql, type SQL } from "drizzle-orm";
import type { Database, Orm, Tx } from "../db/database.ts";
import { auditLog } from "./schema.ts";
import { nextTid, TID_RE } from "./tid.ts";

export type ActorType = "account" | "partnerKey" | "system" | "anonymous";

export interface AuditEntryInput {
  action: string;
  actorType: ActorType;
  actorDid?: string;
  partnerKeyId?: string;
  targetDid?: string;
  targetId?: string;
  /** never secrets, tokens or passwords */
  meta?: Record<string, unknown>;
  /** only for session.* actions */
  ip?: string;
}

export interface AuditEntry {
  id: string;
  action: string;
  actorType: ActorType;
  actorDid?: string;
  partnerKeyId?: string;
  targetDid?: string;
  targetId?: string;
  meta: Record<string, unknown>;
  ip?: string;
  createdAt: string;
}

export interface AuditFilters {
  /** exact action, or a prefix ending in `*` */
  action?: string;
  actorDid?: string;
  targetDid?: string;
  since?: string;
  until?: string;
}

export class InvalidCursorError extends Error {}

export class AuditLog {
  /** `now`: the server's clock, so rows carry the time every time-based rule sees (and tests can spread them with the dev clock) */
  constructor(private readonly db: Database, private readonly now: () => number = Date.now) {}

  async writeInTx(tx: Tx, entry: AuditEntryInput): Promise<void> {
    await this.insert(tx.orm, entry);
  }

  /** For events that have no transaction of their own (login failures). */
  async write(entry: AuditEntryInput): Promise<void> {
    await this.db.transaction((tx) => this.insert(tx.orm, entry));
  }

  private async insert(orm: Orm, e: AuditEntryInput): Promise<void> {
    const now = this.now();
    await orm
      .insert(auditLog)
      .values({
        id: nextTid(now),
        action: e.action,
        actorType: e.actorType,
        actorDid: e.actorDid ?? null,
        partnerKeyId: e.partnerKeyId ?? null,
        targetDid: e.targetDid ?? null,
        targetId: e.targetId ?? null,
        meta: JSON.stringify(e.meta ?? {}),
        ip: e.action.startsWith("session.") ? (e.ip ?? null) : null,
        createdAt: new Date(now).toISOString(),
      })
      .run();
  }

  async list(filters: AuditFilters, opts: { limit: number; cursor?: string }): Promise<{ entries: AuditEntry[]; cursor?: string; total: number }> {
    if (opts.cursor !== undefined && !TID_RE.test(opts.cursor)) throw new InvalidCursorError("Invalid cursor");
    const where: SQL[] = [];
    if (filters.action) {
      if (filters.action.endsWith("*")) {
        // escape LIKE metacharacters in the prefix so `a_b*` matches literally; lower() on both sides keeps the
        // prefix case-insensitive on PostgreSQL too (SQLite's LIKE always was)
        const prefix = filters.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`);
        where.push(sql`lower(${auditLog.action}) LIKE lower(${prefix + "%"}) ESCAPE '\\'`);
      } else where.push(eq(auditLog.action, filters.action));
    }
    if (filters.actorDid) where.push(eq(auditLog.actorDid, filters.actorDid));
    if (filters.targetDid) where.push(eq(auditLog.targetDid, filters.targetDid));
    if (filters.since) where.push(gte(auditLog.createdAt, new Date(filters.since).toISOString()));
    if (filters.until) where.push(lte(auditLog.createdAt, new Date(filters.until).toISOString()));
    const filterSql = where.length ? and(...where) : undefined;
    const total = (await this.db.orm.select({ n: count() }).from(auditLog).where(filterSql).get())?.n ?? 0;
    const page = await this.db.orm
      .select()
      .from(auditLog)
      .where(and(filterSql, opts.cursor ? lt(auditLog.id, opts.cursor) : undefined))
      .orderBy(desc(auditLog.id))
      .limit(opts.limit + 1)
      .all();
    const more = page.length > opts.limit;
    const rows = page.slice(0, opts.limit);
    return {
      entries: rows.map((r) => ({
        id: r.id,
        action: r.action,
        actorType: r.actorType as ActorType,
        ...(r.actorDid ? { actorDid: r.actorDid } : {}),
        ...(r.partnerKeyId ? { partnerKeyId: r.partnerKeyId } : {}),
        ...(r.targetDid ? { targetDid: r.targetDid } : {}),
        ...(r.targetId ? { targetId: r.targetId } : {}),
        meta: JSON.parse(r.meta) as Record<string, unknown>,
        ...(r.ip ? { ip: r.ip } : {}),
        createdAt: r.createdAt,
      })),
      ...(more ? { cursor: rows[rows.length - 1]!.id } : {}),
      total,
    };
  }
}
