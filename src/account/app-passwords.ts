// App passwords (10 §4): create (shown once, stored as a keyed hash), list, revoke (its sessions die at once), login match.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Database, Tx } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { AccessScope } from "../caller.ts";
import { invalidRequest } from "../errors.ts";
import { appPasswords } from "./app-passwords-schema.ts";
import { sessions } from "./schema.ts";

export const MAX_APP_PASSWORDS = 50;
const NAME_MAX = 64;
/** xxxx-xxxx-xxxx-xxxx of a-z2-7: 16 base32 characters, 80 random bits */
export const APP_PASSWORD_SHAPE = /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/;
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

export interface AppPasswordView {
  name: string;
  createdAt: string;
  privileged: boolean;
}

/** The access scope of a session bound to an app password (approved and deactivated accounts; 01 §9.1). */
export const appPassScope = (privileged: boolean): AccessScope => (privileged ? "com.atproto.appPassPrivileged" : "com.atproto.appPass");

/** 10 random bytes as 16 base32 characters in four groups. */
function generatePassword(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let acc = 0;
  let out = "";
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >> bits) & 31];
    }
  }
  return out.match(/.{4}/g)!.join("-");
}

/** The name rules of 10 §4: trimmed, 1–64 characters, no control characters. */
export function checkAppPasswordName(raw: string): string {
  const name = raw.trim();
  const length = [...name].length;
  if (length < 1 || length > NAME_MAX) throw invalidRequest(`An app password name must be 1 to ${NAME_MAX} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) throw invalidRequest("An app password name may not contain control characters");
  return name;
}

export class AppPasswordService {
  constructor(
    private readonly deps: { db: Database; audit: Pick<AuditLog, "writeInTx">; pepper: () => Promise<Buffer> },
    private readonly now: () => number = Date.now,
  ) {}

  private async hash(did: string, password: string): Promise<string> {
    return createHmac("sha256", await this.deps.pepper()).update(did + password, "utf8").digest("hex");
  }

  async create(did: string, input: { name: string; privileged?: boolean }, ip?: string): Promise<AppPasswordView & { password: string }> {
    const name = checkAppPasswordName(input.name);
    const nameKey = name.toLowerCase();
    const privileged = input.privileged ?? false;
    const password = generatePassword();
    const passwordHash = await this.hash(did, password);
    const createdAt = new Date(this.now()).toISOString();
    await this.deps.db.transaction(async (tx) => {
      // Why in the transaction: write transactions are serialised, so the name and count checks and the insert
      // cannot interleave with a concurrent create (the unique index on (did, name_key) backs the name rule).
      const rows = await tx.orm.select({ nameKey: appPasswords.nameKey }).from(appPasswords).where(eq(appPasswords.did, did)).all();
      if (rows.some((r) => r.nameKey === nameKey)) throw invalidRequest("An app password with this name already exists");
      if (rows.length >= MAX_APP_PASSWORDS) throw invalidRequest(`At most ${MAX_APP_PASSWORDS} app passwords per account`);
      await tx.orm.insert(appPasswords).values({ id: randomBytes(12).toString("base64url"), did, name, nameKey, passwordHash, privileged, createdAt }).run();
      await this.deps.audit.writeInTx(tx, { action: "account.appPassword.create", actorType: "account", actorDid: did, targetDid: did, meta: { name, privileged }, ip });
    });
    return { name, password, createdAt, privileged };
  }

  /** Newest first. */
  async list(did: string): Promise<AppPasswordView[]> {
    return await this.deps.db.orm.select({ name: appPasswords.name, createdAt: appPasswords.createdAt, privileged: appPasswords.privileged })
      .from(appPasswords).where(eq(appPasswords.did, did)).orderBy(desc(appPasswords.createdAt), desc(sql`rowid`)).all();
  }

  /** Deletes the app password and revokes every session created with it, in one transaction; unknown → false. */
  async revoke(did: string, rawName: string, ip?: string): Promise<boolean> {
    const nameKey = rawName.trim().toLowerCase();
    return this.deps.db.transaction(async (tx) => {
      const row = await tx.orm.delete(appPasswords).where(and(eq(appPasswords.did, did), eq(appPasswords.nameKey, nameKey)))
        .returning({ id: appPasswords.id, name: appPasswords.name }).get();
      if (!row) return false;
      // Why here: the access check reads sessions.revoked_at on every request, so the live tokens fail from this commit on
      const revoked = (await tx.orm.update(sessions).set({ revokedAt: new Date(this.now()).toISOString() })
        .where(and(eq(sessions.appPasswordId, row.id), isNull(sessions.revokedAt))).returning({ id: sessions.id }).all()).length;
      await this.deps.audit.writeInTx(tx, { action: "account.appPassword.revoke", actorType: "account", actorDid: did, targetDid: did, meta: { name: row.name, sessions: revoked }, ip });
      return true;
    });
  }

  /**
   * Login (10 §4): the app password of `did` whose keyed hash matches, compared in constant time against each of
   * the account's (at most 50) hashes; `lastUsedAt` is updated on a match. Inputs not of the shape never match.
   */
  async match(did: string, password: string): Promise<{ id: string; name: string; privileged: boolean } | undefined> {
    if (!APP_PASSWORD_SHAPE.test(password)) return undefined;
    const given = Buffer.from(await this.hash(did, password), "hex");
    const rows = await this.deps.db.orm.select().from(appPasswords).where(eq(appPasswords.did, did)).all();
    let found: (typeof rows)[number] | undefined;
    for (const r of rows) {
      const stored = Buffer.from(r.passwordHash, "hex");
      if (stored.length === given.length && timingSafeEqual(stored, given)) found ??= r;
    }
    if (!found) return undefined;
    const at = new Date(this.now()).toISOString();
    await this.deps.db.transaction(async (tx) => {
      await tx.orm.update(appPasswords).set({ lastUsedAt: at }).where(eq(appPasswords.id, found.id)).run();
    });
    return { id: found.id, name: found.name, privileged: found.privileged };
  }

  /** Whether the app password still exists and is privileged (the scope a bound session refreshes to); undefined when gone. */
  async privilegedInTx(tx: Tx, id: string): Promise<boolean | undefined> {
    return (await tx.orm.select({ privileged: appPasswords.privileged }).from(appPasswords).where(eq(appPasswords.id, id)).get())?.privileged;
  }

  /** Account deletion (06 §1): the account's app passwords go with it. */
  async deleteAllInTx(tx: Tx, did: string): Promise<void> {
    await tx.orm.delete(appPasswords).where(eq(appPasswords.did, did)).run();
  }
}
