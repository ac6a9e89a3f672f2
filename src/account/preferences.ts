// Private app.bsky preferences (10 §3): stored order, full-session-only types, the computed declaredAgePref.
import { asc, count, eq } from "drizzle-orm";
import type { Database, Tx } from "../db/database.ts";
import { invalidRequest } from "../errors.ts";
import { accountPrefs } from "./app-passwords-schema.ts";

export const PREF_NAMESPACE = "app.bsky";
export const MAX_PREFERENCES = 1000;
export const PERSONAL_DETAILS_PREF = "app.bsky.actor.defs#personalDetailsPref";
export const DECLARED_AGE_PREF = "app.bsky.actor.defs#declaredAgePref";
/** types only a full session may read or write */
const FULL_ONLY_PREFS = [PERSONAL_DETAILS_PREF];

type Pref = { $type: string } & Record<string, unknown>;

const inNamespace = (type: string) => type === PREF_NAMESPACE || type.startsWith(`${PREF_NAMESPACE}.`);
const allowed = (type: string, full: boolean) => full || !FULL_ONLY_PREFS.includes(type);

/**
 * Checks on the raw body whose messages 10 §3 fixes, before the lexicon validation (which would otherwise
 * answer an item without `$type` in its own words): the item count and a string `$type` on every item.
 */
export function precheckPreferences(body: unknown): void {
  const prefs = (body as { preferences?: unknown } | null)?.preferences;
  if (!Array.isArray(prefs)) return; // the lexicon validation names the missing or mistyped field
  if (prefs.length > MAX_PREFERENCES) throw invalidRequest(`At most ${MAX_PREFERENCES} preferences`);
  for (const p of prefs) {
    if (typeof p !== "object" || p === null || typeof (p as { $type?: unknown }).$type !== "string") throw invalidRequest("Preference is missing a $type");
  }
}

/** Whole years between an ISO birth date and `nowMs`, in UTC. */
function ageAt(birthDate: string, nowMs: number): number {
  const b = new Date(birthDate);
  const n = new Date(nowMs);
  let age = n.getUTCFullYear() - b.getUTCFullYear();
  const m = n.getUTCMonth() - b.getUTCMonth();
  if (m < 0 || (m === 0 && n.getUTCDate() < b.getUTCDate())) age--;
  return age;
}

export class PreferenceService {
  constructor(private readonly deps: { db: Database }, private readonly now: () => number = Date.now) {}

  /** The stored preferences in stored order; full-only types only for a full session (account.export uses this). */
  async stored(did: string, full: boolean): Promise<Pref[]> {
    return (await this.deps.db.orm.select({ type: accountPrefs.type, valueJson: accountPrefs.valueJson }).from(accountPrefs)
      .where(eq(accountPrefs.did, did)).orderBy(asc(accountPrefs.position)).all())
      .filter((r) => inNamespace(r.type) && allowed(r.type, full))
      .map((r) => JSON.parse(r.valueJson) as Pref);
  }

  /** getPreferences: the stored ones, plus a computed declaredAgePref when a personalDetailsPref holds a birthDate. */
  async get(did: string, full: boolean): Promise<Pref[]> {
    const prefs = await this.stored(did, true);
    const details = prefs.find((p) => p.$type === PERSONAL_DETAILS_PREF);
    const visible = prefs.filter((p) => allowed(p.$type, full));
    if (typeof details?.birthDate === "string" && !Number.isNaN(Date.parse(details.birthDate))) {
      const age = ageAt(details.birthDate, this.now());
      visible.push({ $type: DECLARED_AGE_PREF, isOverAge13: age >= 13, isOverAge16: age >= 16, isOverAge18: age >= 18 });
    }
    return visible;
  }

  /**
   * putPreferences: replaces, in one transaction, every stored preference this session may see; full-only ones
   * survive a put from an app-password session (kept first, in their order); submitted declaredAgePrefs are dropped.
   */
  async put(did: string, prefs: Pref[], full: boolean): Promise<void> {
    if (!prefs.every((p) => inNamespace(p.$type))) throw invalidRequest(`Some preferences are not in the ${PREF_NAMESPACE} namespace`);
    const refused = prefs.filter((p) => !allowed(p.$type, full)).map((p) => p.$type);
    if (refused.length) throw invalidRequest(`Do not have authorization to set preferences: ${[...new Set(refused)].join(", ")}`);
    const incoming = prefs.filter((p) => p.$type !== DECLARED_AGE_PREF);
    await this.deps.db.transaction(async (tx) => {
      const kept = full ? [] : (await tx.orm.select().from(accountPrefs)
        .where(eq(accountPrefs.did, did)).orderBy(asc(accountPrefs.position)).all()).filter((r) => !allowed(r.type, false));
      await tx.orm.delete(accountPrefs).where(eq(accountPrefs.did, did)).run();
      const rows = [
        ...kept.map((r) => ({ type: r.type, valueJson: r.valueJson })),
        ...incoming.map((p) => ({ type: p.$type, valueJson: JSON.stringify(p) })),
      ].map((r, position) => ({ did, position, ...r }));
      // chunks keep each INSERT under SQLite's bound-parameter limit (4 columns × 1000 rows would exceed it)
      for (let i = 0; i < rows.length; i += 200) await tx.orm.insert(accountPrefs).values(rows.slice(i, i + 200)).run();
    });
  }

  /** checkAccountStatus.privateStateValues (10 §3). */
  async count(did: string): Promise<number> {
    return (await this.deps.db.orm.select({ n: count() }).from(accountPrefs).where(eq(accountPrefs.did, did)).get())?.n ?? 0;
  }

  /** Account deletion (06 §1). */
  async deleteAllInTx(tx: Tx, did: string): Promise<void> {
    await tx.orm.delete(accountPrefs).where(eq(accountPrefs.did, did)).run();
  }
}
