// The com.atproto.server.defs#inviteCode view of our invites (10 §6) and the admin listing getInviteCodes sorts and pages.
import { and, desc, eq, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import type { Orm } from "../db/database.ts";
import { invalidRequest } from "../errors.ts";
import { inviteUses, invites } from "./schema.ts";

type InviteRow = typeof invites.$inferSelect;

export interface InviteCodeView {
  code: string;
  /** uses left; 0 when revoked or expired */
  available: number;
  disabled: boolean;
  /** invites carry no separate beneficiary yet: the account that created the code */
  forAccount: string;
  createdBy: string;
  createdAt: string;
  uses: { usedBy: string; usedAt: string }[];
}

/** Views for these rows, their uses read in one query (oldest use first). */
export async function inviteCodeViews(orm: Orm, rows: InviteRow[], nowIso: string): Promise<InviteCodeView[]> {
  if (!rows.length) return [];
  const uses = await orm.select().from(inviteUses).where(inArray(inviteUses.code, rows.map((r) => r.code))).orderBy(inviteUses.usedAt).all();
  return rows.map((r) => {
    const dead = r.revokedAt !== null || (r.expiresAt !== null && r.expiresAt <= nowIso);
    return {
      code: r.code,
      available: dead ? 0 : Math.max(0, r.maxUses - r.usesCount),
      disabled: r.revokedAt !== null,
      forAccount: r.createdBy,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
      uses: uses.filter((u) => u.code === r.code).map((u) => ({ usedBy: u.did, usedAt: u.usedAt })),
    };
  });
}

// Keyset cursors: base64url of JSON [usesCount?, createdAt, code]; anything else is 400 "Invalid cursor".
const encode = (key: (string | number)[]) => Buffer.from(JSON.stringify(key)).toString("base64url");
function decode(cursor: string, sort: "recent" | "usage"): (string | number)[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    const shape = sort === "usage" ? ["number", "string", "string"] : ["string", "string"];
    if (Array.isArray(key) && key.length === shape.length && key.every((v, i) => typeof v === shape[i])) return key as (string | number)[];
  } catch {
    // fall through
  }
  throw invalidRequest("Invalid cursor");
}

/**
 * com.atproto.admin.getInviteCodes: `recent` = newest first; `usage` = most used first, then newest. Ties are broken
 * by code, so a keyset cursor pages without losing or repeating a code.
 */
export async function listInviteCodes(orm: Orm, opts: { sort: string; limit: number; cursor?: string }, nowIso: string): Promise<{ codes: InviteCodeView[]; cursor?: string }> {
  const sort = opts.sort === "usage" ? "usage" : "recent";
  let after: SQL | undefined;
  if (opts.cursor !== undefined) {
    const key = decode(opts.cursor, sort);
    const [t, k] = key.slice(-2) as [string, string];
    const recentAfter = or(lt(invites.createdAt, t), and(eq(invites.createdAt, t), lt(invites.code, k)));
    after = sort === "usage" ? or(sql`${invites.usesCount} < ${key[0]}`, and(sql`${invites.usesCount} = ${key[0]}`, recentAfter)) : recentAfter;
  }
  const order = sort === "usage" ? [desc(invites.usesCount), desc(invites.createdAt), desc(invites.code)] : [desc(invites.createdAt), desc(invites.code)];
  const rows = await orm.select().from(invites).where(after).orderBy(...order).limit(opts.limit + 1).all();
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    codes: await inviteCodeViews(orm, page, nowIso),
    ...(rows.length > opts.limit && last ? { cursor: encode(sort === "usage" ? [last.usesCount, last.createdAt, last.code] : [last.createdAt, last.code]) } : {}),
  };
}
