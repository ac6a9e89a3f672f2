// ExternalKeyService (spec 06 §6): external public keys as records in the account's own repo, plus the
// external_keys projection written in the same commit transaction (resolveByKey, purpose filter).
import { and, asc, count, eq, gt, or, sql, type SQL } from "drizzle-orm";
import type { Database, Orm, Tx } from "../db/database.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { RepoService } from "../repo/index.ts";
import { records } from "../repo/schema.ts";
import { DomainError, invalidRequest } from "../errors.ts";
import { systemClock, type Clock } from "../util/clock.ts";
import { accounts } from "./schema.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { fullHandle } from "./views.ts";
import { externalKeys } from "./external-keys-schema.ts";
import { parseExternalKey } from "./external-key-format.ts";

export const EXTERNAL_KEY_COLLECTION = "net.openfederation.identity.externalKey";
export const MAX_KEYS_PER_ACCOUNT = 100;
export const RKEY_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,510}[A-Za-z0-9])?$/;
// printable ASCII, space included (06 §6 "1–64 printable chars"; see docs/keys.md)
export const PURPOSE_RE = /^[\x20-\x7e]{1,64}$/;

export const keyNotFound = (message = "External key not found") => new DomainError("notFound", "KeyNotFound", message);
const tooManyKeys = () => new DomainError("conflict", "TooManyKeys", `An account may publish at most ${MAX_KEYS_PER_ACCOUNT} external keys`);

export interface KeyView {
  uri: string;
  rkey: string;
  type: string;
  purpose: string;
  publicKey: string;
  label?: string;
  createdAt: string;
}
export interface Claimant {
  did: string;
  handle: string;
  rkey: string;
  type: string;
  purpose: string;
  createdAt: string;
}
export interface SetKeyInput {
  rkey: string;
  type: string;
  purpose: string;
  publicKey: string;
  label?: string;
}

export interface ExternalKeyDeps {
  db: Database;
  repo: Pick<RepoService, "write" | "getRecord">;
  audit: AuditLog;
  handleDomain: string;
}

type Row = typeof externalKeys.$inferSelect;

export class ExternalKeyService {
  constructor(private readonly deps: ExternalKeyDeps, private readonly now: Clock = systemClock) {}

  async set(did: string, input: SetKeyInput): Promise<{ uri: string; cid: string }> {
    const { rkey, type, purpose, publicKey, label } = input;
    if (!RKEY_RE.test(rkey)) throw invalidRequest("rkey must be 1–512 letters or digits, with hyphens only inside");
    if (!PURPOSE_RE.test(purpose)) throw invalidRequest("purpose must be 1–64 printable ASCII characters");
    parseExternalKey(type, publicKey);
    // Re-setting the same key (a label or purpose edit) keeps its claim time; a new key under the rkey is a rotation and claims from now.
    const prev = await this.row(this.deps.db.orm, did, rkey);
    const createdAt = prev && prev.publicKey === publicKey && prev.type === type ? prev.createdAt : new Date(this.now()).toISOString();
    const record = { $type: EXTERNAL_KEY_COLLECTION, type, purpose, publicKey, ...(label !== undefined ? { label } : {}), createdAt };
    const res = await this.deps.repo.write(did, [{ action: "put", collection: EXTERNAL_KEY_COLLECTION, rkey, record }], {
      managed: true,
      validate: true,
      inTx: async (tx, result) => {
        // Counted inside the commit transaction (per-DID lock + serialised writes): two concurrent new rkeys at 99 cannot both pass.
        const others = (await tx.orm.select({ n: count() }).from(externalKeys).where(and(eq(externalKeys.did, did), sql`${externalKeys.rkey} <> ${rkey}`)).get())!.n;
        if (others >= MAX_KEYS_PER_ACCOUNT) throw tooManyKeys();
        const cid = (result.results[0] as { cid: string }).cid;
        // raw SQL: drizzle's SQLite dialect table-qualifies the ON CONFLICT target, which PostgreSQL refuses
        await tx.raw.run(
          `INSERT INTO external_keys (did, rkey, cid, type, purpose, public_key, label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (did, rkey) DO UPDATE SET cid = excluded.cid, type = excluded.type, purpose = excluded.purpose,
             public_key = excluded.public_key, label = excluded.label, created_at = excluded.created_at`,
          [did, rkey, cid, type, purpose, publicKey, label ?? null, createdAt],
        );
        await this.deps.audit.writeInTx(tx, { action: "identity.setExternalKey", actorType: "account", actorDid: did, targetDid: did, meta: { rkey, type, purpose } });
      },
    });
    const r = res.results[0] as { uri: string; cid: string };
    return { uri: r.uri, cid: r.cid };
  }

  async delete(did: string, rkey: string): Promise<void> {
    if (!RKEY_RE.test(rkey)) throw keyNotFound();
    await this.deps.repo.write(did, [{ action: "delete", collection: EXTERNAL_KEY_COLLECTION, rkey, ifExists: true }], {
      managed: true,
      inTx: async (tx: Tx, result) => {
        // decided in the commit transaction: a concurrent delete of the same rkey sees no commit here and gets 404
        if (!result.commit) throw keyNotFound();
        await tx.orm.delete(externalKeys).where(and(eq(externalKeys.did, did), eq(externalKeys.rkey, rkey))).run();
        await this.deps.audit.writeInTx(tx, { action: "identity.deleteExternalKey", actorType: "account", actorDid: did, targetDid: did, meta: { rkey } });
      },
    });
  }

  /** Keys of a (readable) account by rkey ascending; `purpose` filtered in SQL. */
  async list(did: string, opts: { purpose?: string; limit: number; cursor?: string }): Promise<{ keys: KeyView[]; cursor?: string }> {
    const where: SQL[] = [eq(externalKeys.did, did)];
    if (opts.purpose !== undefined) where.push(eq(externalKeys.purpose, opts.purpose));
    if (opts.cursor !== undefined) where.push(gt(externalKeys.rkey, opts.cursor));
    const rows = await this.live(this.deps.db.orm, and(...where)!).orderBy(asc(externalKeys.rkey)).limit(opts.limit + 1).all();
    const page = rows.slice(0, opts.limit).map((r) => this.view(r.k));
    return { keys: page, ...(rows.length > opts.limit ? { cursor: page[page.length - 1]!.rkey } : {}) };
  }

  async get(did: string, rkey: string): Promise<KeyView> {
    const r = await this.live(this.deps.db.orm, and(eq(externalKeys.did, did), eq(externalKeys.rkey, rkey))!).get();
    if (!r) throw keyNotFound();
    return this.view(r.k);
  }

  /** Every approved account claiming `publicKey` (exact string), earliest claim first; keyset cursor on (createdAt, did, rkey). */
  async resolve(publicKey: string, opts: { purpose?: string; limit: number; cursor?: string }): Promise<{ claimants: Claimant[]; cursor?: string }> {
    const where: SQL[] = [eq(externalKeys.publicKey, publicKey), eq(accounts.status, "approved")];
    if (opts.purpose !== undefined) where.push(eq(externalKeys.purpose, opts.purpose));
    if (opts.cursor !== undefined) {
      const { t, k } = decodeCursor(opts.cursor);
      const sep = k.indexOf(" ");
      const [cDid, cRkey] = sep < 0 ? [k, ""] : [k.slice(0, sep), k.slice(sep + 1)];
      where.push(
        or(
          gt(externalKeys.createdAt, t),
          and(eq(externalKeys.createdAt, t), gt(externalKeys.did, cDid)),
          and(eq(externalKeys.createdAt, t), eq(externalKeys.did, cDid), gt(externalKeys.rkey, cRkey)),
        )!,
      );
    }
    const rows = await this.live(this.deps.db.orm, and(...where)!)
      .orderBy(asc(externalKeys.createdAt), asc(externalKeys.did), asc(externalKeys.rkey))
      .limit(opts.limit + 1)
      .all();
    if (rows.length === 0 && opts.cursor === undefined) throw keyNotFound("No account claims this key");
    const page = rows.slice(0, opts.limit);
    const claimants = page.map(({ k, a }) => ({
      did: k.did,
      handle: fullHandle({ name: a.name, externalHandle: a.externalHandle }, this.deps.handleDomain),
      rkey: k.rkey,
      type: k.type,
      purpose: k.purpose,
      createdAt: k.createdAt,
    }));
    const last = page[page.length - 1]?.k;
    return { claimants, ...(rows.length > opts.limit && last ? { cursor: encodeCursor(last.createdAt, `${last.did} ${last.rkey}`) } : {}) };
  }

  private async row(orm: Orm, did: string, rkey: string): Promise<Row | undefined> {
    return await orm.select().from(externalKeys).where(and(eq(externalKeys.did, did), eq(externalKeys.rkey, rkey))).get();
  }

  /** Projection rows whose record is still the repo's current one (a deleted or replaced repo hides its rows), with the account's names. */
  private live(orm: Orm, where: SQL) {
    return orm
      .select({ k: externalKeys, a: { name: accounts.name, externalHandle: accounts.externalHandle } })
      .from(externalKeys)
      .innerJoin(records, and(eq(records.did, externalKeys.did), eq(records.collection, EXTERNAL_KEY_COLLECTION), eq(records.rkey, externalKeys.rkey), eq(records.cid, externalKeys.cid)))
      .innerJoin(accounts, eq(accounts.did, externalKeys.did))
      .where(where);
  }

  private view(r: Row): KeyView {
    return {
      uri: `at://${r.did}/${EXTERNAL_KEY_COLLECTION}/${r.rkey}`,
      rkey: r.rkey,
      type: r.type,
      purpose: r.purpose,
      publicKey: r.publicKey,
      ...(r.label !== null ? { label: r.label } : {}),
      createdAt: r.createdAt,
    };
  }
}
