// The one handle namespace (01 §4, 04 §4): accounts and communities share names under the handle domain.
import type { Orm } from "../db/database.ts";

/** Who holds `name` in one domain's table: the holder's DID, or undefined. Runs on the ORM it is given (a tx or a read). */
export type NameClaim = (orm: Orm, name: string) => Promise<string | undefined>;

export interface NameNamespacePort {
  /** the DID holding `name` in any domain, or undefined */
  holderOf(orm: Orm, name: string): Promise<string | undefined>;
  /** true when anyone but `except` holds `name` */
  taken(orm: Orm, name: string, except?: string): Promise<boolean>;
}

/**
 * Built once at the composition root from each domain's claim. Callers check twice: once before slow work (PLC)
 * for a fast error, and again inside the write transaction that takes the name. Why the second check: writes are
 * serialised by the database's single writer, so a check inside the transaction cannot race another taker.
 */
export class NameNamespace implements NameNamespacePort {
  constructor(private readonly claims: readonly NameClaim[]) {}

  async holderOf(orm: Orm, name: string): Promise<string | undefined> {
    for (const claim of this.claims) {
      const did = await claim(orm, name);
      if (did) return did;
    }
    return undefined;
  }

  async taken(orm: Orm, name: string, except?: string): Promise<boolean> {
    for (const claim of this.claims) {
      const did = await claim(orm, name);
      if (did && did !== except) return true;
    }
    return false;
  }
}
