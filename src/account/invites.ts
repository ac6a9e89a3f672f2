// Invite codes (spec 01 §7): create, list, revoke, and the single conditional UPDATE that consumes a use.
import { randomBytes } from "node:crypto";
import { and, count, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { Database, Tx } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { invalidRequest, notFound, DomainError } from "../errors.ts";
import { inviteUses, invites } from "./schema.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";

export type InviteStatus = "active" | "expired" | "exhausted" | "revoked";
type InviteRow = typeof invites.$inferSelect;

export interface InviteView {
  code: string;
  maxUses: number;
  usesCount: number;
  expiresAt?: string;
  boundTo?: string;
  note?: string;
  createdAt: string;
  createdBy: string;
  createdByHandle?: string;
  status: InviteStatus;
}

/** Computed status, first match wins: revoked > expired > exhausted > active. */
export function inviteStatus(row: InviteRow, nowIso: string): InviteStatus {
  if (row.revokedAt) return "revoked";
  if (row.expiresAt && row.expiresAt <= nowIso) return "expired";
  if (row.usesCount >= row.maxUses) return "exhausted";
  return "active";
}

const inviteError = (name: string, message: string) => new DomainError("forbidden", name, message);

export class InviteService {
  constructor(private readonly deps: { db: Database; audit: AuditLog; handleOf: (did: string) => Promise<string | undefined> | string | undefined }, private readonly now: () => number = Date.now) {}

  async create(actorDid: string, input: { maxUses?: number; expiresAt?: string; boundTo?: string; note?: string }, normaliseEmail: (e: string) => string, isValidEmail: (e: string) => boolean): Promise<InviteView> {
    const nowMs = this.now();
    const maxUses = input.maxUses ?? 1;
    if (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > 1000) throw invalidRequest("maxUses must be an integer from 1 to 1000");
    let expiresAt: string | undefined;
    if (input.expiresAt !== undefined) {
      const t = Date.parse(input.expiresAt);
      if (Number.isNaN(t)) throw invalidRequest("expiresAt is not a valid datetime");
      if (t <= nowMs) throw invalidRequest("expiresAt must be in the future");
      if (t > nowMs + 365 * 86_400_000) throw invalidRequest("expiresAt must be at most 365 days ahead");
      expiresAt = new Date(t).toISOString();
    }
    let boundTo: string | undefined;
    if (input.boundTo !== undefined) {
      boundTo = normaliseEmail(input.boundTo);
      if (!isValidEmail(boundTo)) throw invalidRequest("boundTo is not a valid email address");
    }
    // never a leading "-" or "_": a code is typed as a command-line argument (`ofpds invite revoke <code>`), where a
    // leading dash reads as a flag (96 random bits either way)
    const code = `i${randomBytes(12).toString("base64url")}`;
    const createdAt = new Date(nowMs).toISOString();
    const row: InviteRow = { code, maxUses, usesCount: 0, expiresAt: expiresAt ?? null, boundTo: boundTo ?? null, note: input.note ?? null, createdBy: actorDid, createdAt, revokedAt: null };
    await this.deps.db.transaction(async (tx) => {
      await tx.orm.insert(invites).values(row).run();
      await this.deps.audit.writeInTx(tx, { action: "invite.create", actorType: "account", actorDid, targetId: code, meta: { maxUses, expiresAt: expiresAt ?? null, boundTo: boundTo ?? null, note: input.note ?? null } });
    });
    return await this.view(row, createdAt);
  }

  async revoke(actorDid: string, code: string): Promise<{ code: string; status: "revoked" }> {
    return this.deps.db.transaction(async (tx) => {
      const row = await tx.orm.select().from(invites).where(eq(invites.code, code)).get();
      if (!row) throw notFound("Invite not found");
      if (!(await this.revokeInTx(tx, actorDid, code))) throw new DomainError("invalid", "AlreadyRevoked", "Invite is already revoked");
      return { code, status: "revoked" as const };
    });
  }

  /**
   * Revokes one code with its audit row; false when it is unknown or already revoked. Conditional on
   * `revoked_at IS NULL`, so two concurrent revocations write one audit row between them.
   */
  async revokeInTx(tx: Tx, actorDid: string, code: string): Promise<boolean> {
    const row = await tx.orm.update(invites).set({ revokedAt: new Date(this.now()).toISOString() })
      .where(and(eq(invites.code, code), isNull(invites.revokedAt))).returning({ code: invites.code }).get();
    if (row) await this.deps.audit.writeInTx(tx, { action: "invite.revoke", actorType: "account", actorDid, targetId: code, meta: { code } });
    return !!row;
  }

  /**
   * com.atproto.admin.disableInviteCodes (10 §6): the given codes plus every code the given accounts created, in one
   * transaction. Unknown and already revoked codes are skipped (the call is idempotent). Returns the codes revoked now.
   */
  async disableCodes(actorDid: string, input: { codes?: string[]; accounts?: string[] }): Promise<string[]> {
    return this.deps.db.transaction(async (tx) => {
      const owned = input.accounts?.length ? (await tx.orm.select({ code: invites.code }).from(invites).where(and(inArray(invites.createdBy, input.accounts), isNull(invites.revokedAt))).all()).map((r) => r.code) : [];
      const all = [...new Set([...(input.codes ?? []), ...owned])];
      const revoked: string[] = [];
      for (const code of all) if (await this.revokeInTx(tx, actorDid, code)) revoked.push(code);
      return revoked;
    });
  }

  async list(opts: { status?: InviteStatus; limit: number; cursor?: string }): Promise<{ invites: InviteView[]; cursor?: string; total: number }> {
    const nowIso = new Date(this.now()).toISOString();
    const notExpired = or(isNull(invites.expiresAt), gt(invites.expiresAt, nowIso))!;
    const statusSql: Record<InviteStatus, SQL> = {
      revoked: isNotNull(invites.revokedAt),
      expired: and(isNull(invites.revokedAt), lte(invites.expiresAt, nowIso))!,
      exhausted: and(isNull(invites.revokedAt), notExpired, sql`${invites.usesCount} >= ${invites.maxUses}`)!,
      active: and(isNull(invites.revokedAt), notExpired, sql`${invites.usesCount} < ${invites.maxUses}`)!,
    };
    const filter = opts.status ? statusSql[opts.status] : undefined;
    const total = (await this.deps.db.orm.select({ n: count() }).from(invites).where(filter).get())?.n ?? 0;
    const c = opts.cursor !== undefined ? decodeCursor(opts.cursor) : undefined;
    const after = c ? or(lt(invites.createdAt, c.t), and(eq(invites.createdAt, c.t), lt(invites.code, c.k))) : undefined;
    const rows = await this.deps.db.orm.select().from(invites).where(and(filter, after))
      .orderBy(desc(invites.createdAt), desc(invites.code)).limit(opts.limit + 1).all();
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    return {
      invites: await Promise.all(page.map((r) => this.view(r, nowIso))),
      ...(rows.length > opts.limit && last ? { cursor: encodeCursor(last.createdAt, last.code) } : {}),
      total,
    };
  }

  /**
   * Consumes one use inside the registration's reservation transaction. Why this cannot overspend: the
   * guard conditions (`uses_count < max_uses`, not expired, not revoked, binding) and the increment are one
   * UPDATE statement, and write transactions are serialised, so two registrations racing for the last use
   * see the row one after the other and the second UPDATE matches nothing.
   */
  async consumeInTx(tx: Tx, code: string | undefined, email: string, did: string, required: boolean): Promise<string | undefined> {
    if (code === undefined || code === "") {
      if (required) throw inviteError("InviteRequired", "An invite code is required");
      return undefined;
    }
    const nowIso = new Date(this.now()).toISOString();
    const used = await tx.orm
      .update(invites)
      .set({ usesCount: sql`${invites.usesCount} + 1` })
      .where(and(
        eq(invites.code, code),
        isNull(invites.revokedAt),
        or(isNull(invites.expiresAt), gt(invites.expiresAt, nowIso)),
        sql`${invites.usesCount} < ${invites.maxUses}`,
        or(isNull(invites.boundTo), eq(invites.boundTo, email)),
      ))
      .returning({ code: invites.code })
      .get();
    if (!used) {
      // Nothing matched: explain why, in the order of the spec (first failure wins).
      const row = await tx.orm.select().from(invites).where(eq(invites.code, code)).get();
      if (!row || row.revokedAt) throw inviteError("InviteInvalid", "Invite code is invalid");
      if (row.expiresAt && row.expiresAt <= nowIso) throw inviteError("InviteExpired", "Invite code has expired");
      if (row.usesCount >= row.maxUses) throw inviteError("InviteUsed", "Invite code has already been used");
      throw inviteError("InviteBound", "Invite code is bound to a different email address");
    }
    await tx.orm.insert(inviteUses).values({ code, did, usedAt: nowIso }).run();
    return code;
  }

  /** Compensation for a failed registration: gives the use back. */
  async restoreInTx(tx: Tx, code: string, did: string): Promise<void> {
    const removed = await tx.orm.delete(inviteUses).where(and(eq(inviteUses.code, code), eq(inviteUses.did, did))).returning().all();
    if (removed.length) {
      const n = removed.length;
      await tx.orm.update(invites)
        .set({ usesCount: sql`CASE WHEN ${invites.usesCount} > ${n} THEN ${invites.usesCount} - ${n} ELSE 0 END` })
        .where(eq(invites.code, code)).run();
    }
  }

  private async view(r: InviteRow, nowIso: string): Promise<InviteView> {
    const handle = await this.deps.handleOf(r.createdBy);
    return {
      code: r.code,
      maxUses: r.maxUses,
      usesCount: r.usesCount,
      ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}),
      ...(r.boundTo ? { boundTo: r.boundTo } : {}),
      ...(r.note ? { note: r.note } : {}),
      createdAt: r.createdAt,
      createdBy: r.createdBy,
      ...(handle ? { createdByHandle: handle } : {}),
      status: inviteStatus(r, nowIso),
    };
  }
}

