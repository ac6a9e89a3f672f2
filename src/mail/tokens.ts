// Email tokens (10 §5.2): XXXXX-XXXXX of A-Z2-7, stored as SHA-256, purpose-bound, 15 minutes, single use, 5 wrong tries.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, gt, lte } from "drizzle-orm";
import type { Database, Tx } from "../db/database.ts";
import { DomainError } from "../errors.ts";
import type { Clock } from "../util/clock.ts";
import type { MailPurpose } from "./mailer.ts";
import { emailTokens } from "./token-schema.ts";

export const TOKEN_TTL_MS = 15 * 60_000;
export const MAX_WRONG_ATTEMPTS = 5;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// 400 with the names the lexicons declare (10 §5.2), unlike the 401 of a bad session token
export const invalidEmailToken = () => new DomainError("invalid", "InvalidToken", "Token is invalid");
export const expiredEmailToken = () => new DomainError("invalid", "ExpiredToken", "Token is expired");

/** 10 random characters of A-Z2-7 (50 bits), shown as XXXXX-XXXXX. */
export function newToken(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => ALPHABET[b & 31]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Case-insensitive, with or without the hyphen; undefined when it cannot be a token at all. */
export function normaliseToken(input: string): string | undefined {
  const t = input.trim().toUpperCase().replace(/^([A-Z2-7]{5})-([A-Z2-7]{5})$/, "$1$2");
  return /^[A-Z2-7]{10}$/.test(t) ? t : undefined;
}

const hashOf = (normalised: string) => createHash("sha256").update(normalised).digest("hex");

export class EmailTokens {
  constructor(private readonly db: Database, private readonly now: Clock) {}

  /** A new token for (did, purpose), replacing any live one (one per account and purpose). Returns the plain token. */
  async issueInTx(tx: Tx, did: string, purpose: MailPurpose): Promise<string> {
    const token = newToken();
    const now = this.now();
    // raw SQL: drizzle's SQLite dialect table-qualifies the ON CONFLICT target, which PostgreSQL refuses
    await tx.raw.run(
      `INSERT INTO email_tokens (did, purpose, token_hash, expires_at, attempts, created_at) VALUES (?, ?, ?, ?, 0, ?)
       ON CONFLICT (did, purpose) DO UPDATE SET token_hash = excluded.token_hash, expires_at = excluded.expires_at,
         attempts = excluded.attempts, created_at = excluded.created_at`,
      [did, purpose, hashOf(normaliseToken(token)!), now + TOKEN_TTL_MS, new Date(now).toISOString()],
    );
    return token;
  }

  /** Drops the token of one purpose, or every token of the account (an email change, deletion). */
  async deleteInTx(tx: Tx, did: string, purpose?: MailPurpose): Promise<void> {
    await tx.orm.delete(emailTokens).where(purpose ? and(eq(emailTokens.did, did), eq(emailTokens.purpose, purpose)) : eq(emailTokens.did, did)).run();
  }

  async delete(did: string, purpose: MailPurpose): Promise<void> {
    await this.db.transaction((tx) => this.deleteInTx(tx, did, purpose));
  }

  /**
   * Checks `input` against the account's live token without using it. A wrong token counts against the account
   * (deleted at the 5th), an expired one is deleted; both in their own committed transaction, then the 400 is thrown.
   * Callers then use the token with consumeInTx in the transaction of their effect.
   */
  async check(did: string, purpose: MailPurpose, input: string): Promise<void> {
    const outcome = await this.db.transaction(async (tx) => {
      const row = await tx.orm.select().from(emailTokens).where(and(eq(emailTokens.did, did), eq(emailTokens.purpose, purpose))).get();
      if (!row) return "invalid" as const;
      const normalised = normaliseToken(input);
      const matches = normalised !== undefined && timingSafeEqual(Buffer.from(hashOf(normalised)), Buffer.from(row.tokenHash));
      if (!matches) {
        const attempts = row.attempts + 1;
        if (attempts >= MAX_WRONG_ATTEMPTS) await this.deleteInTx(tx, did, purpose);
        else await tx.orm.update(emailTokens).set({ attempts }).where(and(eq(emailTokens.did, did), eq(emailTokens.purpose, purpose))).run();
        return "invalid" as const;
      }
      if (row.expiresAt <= this.now()) {
        await this.deleteInTx(tx, did, purpose);
        return "expired" as const;
      }
      return "ok" as const;
    });
    if (outcome === "invalid") throw invalidEmailToken();
    if (outcome === "expired") throw expiredEmailToken();
  }

  /**
   * Uses the token in the caller's transaction. Why a conditional DELETE: two requests may both pass `check`; only
   * the one whose DELETE still finds the (unexpired, same-hash) row goes on, so a token works exactly once.
   */
  async consumeInTx(tx: Tx, did: string, purpose: MailPurpose, input: string): Promise<boolean> {
    const normalised = normaliseToken(input);
    if (normalised === undefined) return false;
    return (await tx.orm.delete(emailTokens)
      .where(and(eq(emailTokens.did, did), eq(emailTokens.purpose, purpose), eq(emailTokens.tokenHash, hashOf(normalised)), gt(emailTokens.expiresAt, this.now())))
      .returning({ did: emailTokens.did }).all()).length === 1;
  }

  /**
   * resetPassword names only the token: the account is the one whose token of `purpose` has this hash. Wrong tokens
   * count against no account here (there is none to name); the per-IP limiter bounds the guessing.
   */
  async findAccount(purpose: MailPurpose, input: string): Promise<{ did: string } | "invalid" | "expired"> {
    const normalised = normaliseToken(input);
    if (normalised === undefined) return "invalid";
    const row = await this.db.orm.select().from(emailTokens).where(and(eq(emailTokens.tokenHash, hashOf(normalised)), eq(emailTokens.purpose, purpose))).get();
    if (!row) return "invalid";
    if (row.expiresAt <= this.now()) {
      await this.delete(row.did, purpose);
      return "expired";
    }
    return { did: row.did };
  }

  /** Hourly housekeeping (09 §7): tokens past their expiry. */
  async sweepExpired(): Promise<number> {
    return this.db.transaction(async (tx) => (await tx.orm.delete(emailTokens).where(lte(emailTokens.expiresAt, this.now())).returning({ did: emailTokens.did }).all()).length);
  }
}
