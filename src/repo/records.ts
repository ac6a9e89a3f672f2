// Record checks shared by every repo write (spec 03 §2): collection/rkey syntax, $type, size, lexicon validation.
import { jsonToLex, lexToIpld, lexToJson, type LexiconDoc } from "@atproto/lexicon";
import { BlockMap } from "@atproto/repo";
// common-web is @atproto/repo's own TID source (not a direct dependency): revs and rkeys share one clock.
import { TID } from "@atproto/common-web";
import { ensureValidNsid, ensureValidRecordKey, isValidTid } from "@atproto/syntax";
import type { CID } from "multiformats/cid";
import { invalidRequest } from "../errors.ts";
import { assertDataModel, type DataModelOptions } from "./data-model.ts";
import type { LexiconRegistry } from "../lexicon/registry.ts";

export const MAX_RECORD_BYTES = 1024 * 1024;

export type ValidationStatus = "valid" | "unknown";

export interface PreparedRecord {
  /** the record in lexicon form (CIDs, bytes, BlobRef objects), `$type` set: for validation, blob refs and JSON */
  value: Record<string, unknown>;
  /** the same record in plain IPLD form: what is encoded into the repo */
  ipld: Record<string, unknown>;
  cid: CID;
  bytes: Uint8Array;
  validationStatus: ValidationStatus;
}

/**
 * Dedicated methods for managed collections (spec 03 §2). Collections not listed here still belong to a
 * dedicated method; the message then names the namespace.
 */
const MANAGED_METHODS: Record<string, string> = {
  "net.openfederation.identity.externalKey": "net.openfederation.identity.setExternalKey",
  // community repos (04 §2, 05)
  "net.openfederation.community.settings": "net.openfederation.community.update",
  "net.openfederation.community.profile": "net.openfederation.community.update",
  "net.openfederation.community.role": "net.openfederation.community.createRole",
  "net.openfederation.community.member": "net.openfederation.community.join",
  "net.openfederation.community.attestation": "net.openfederation.community.issueAttestation",
  "net.openfederation.community.proposal": "net.openfederation.community.createProposal",
  "net.openfederation.community.delegation": "net.openfederation.community.setDelegation",
};

export function assertCollection(collection: string): void {
  try {
    ensureValidNsid(collection);
  } catch {
    throw invalidRequest(`Invalid collection NSID: ${collection}`);
  }
}

/**
 * An NSID with its domain authority lower-cased: the authority is a domain name, so case-insensitive; the
 * final name segment is case-sensitive (AT NSID syntax). `NET.openfederation.community.member` is the same
 * collection as `net.openfederation.community.member`.
 */
export function normalizeNsidAuthority(nsid: string): string {
  const dot = nsid.lastIndexOf(".");
  return dot < 0 ? nsid : nsid.slice(0, dot).toLowerCase() + nsid.slice(dot);
}

/** Generic com.atproto.repo.* writes never touch net.openfederation.* collections, in any letter case of the domain. */
export function assertNotManaged(collection: string): void {
  const normalized = normalizeNsidAuthority(collection);
  if (!normalized.startsWith("net.openfederation.")) return;
  const method = MANAGED_METHODS[normalized];
  throw invalidRequest(
    method
      ? `${collection} records are managed by the server; use ${method}`
      : `${collection} records are managed by the server; use the dedicated net.openfederation.* method for this collection`,
  );
}

/** The `key` of a known record lexicon (`tid`, `literal:self`, `any`, `nsid`), or undefined for unknown collections. */
export function recordKeyType(lexicons: LexiconRegistry, collection: string): string | undefined {
  const def = lexicons.lexicons.getDef(collection) as (LexiconDoc["defs"][string] & { key?: string }) | undefined;
  if (!def || def.type !== "record") return undefined;
  return def.key ?? "any";
}

/**
 * The AT record-key syntax always; the lexicon's key type only when `keyType` (the record is validated against
 * its lexicon, lexiconApplies): as in the reference, `validate:false` writes and deletes skip it (spec 10 §7).
 */
export function assertRkey(lexicons: LexiconRegistry, collection: string, rkey: string, keyType = true): void {
  try {
    ensureValidRecordKey(rkey);
  } catch {
    throw invalidRequest(`Invalid record key: ${rkey}`);
  }
  if (keyType) assertRkeyType(lexicons, collection, rkey);
}

function assertRkeyType(lexicons: LexiconRegistry, collection: string, rkey: string): void {
  const keyType = recordKeyType(lexicons, collection);
  if (keyType === "tid" && !isValidTid(rkey)) throw invalidRequest(`Record key of ${collection} must be a TID`);
  if (keyType?.startsWith("literal:") && rkey !== keyType.slice("literal:".length)) {
    throw invalidRequest(`Record key of ${collection} must be "${keyType.slice("literal:".length)}"`);
  }
  if (keyType === "nsid") {
    try {
      ensureValidNsid(rkey);
    } catch {
      throw invalidRequest(`Record key of ${collection} must be an NSID`);
    }
  }
}

/** A fresh rkey for createRecord without one: `self` for literal:self collections, else a TID. */
export function defaultRkey(lexicons: LexiconRegistry, collection: string): string {
  const keyType = recordKeyType(lexicons, collection);
  return keyType?.startsWith("literal:") ? keyType.slice("literal:".length) : TID.nextStr();
}

/**
 * Collections validated even with `validate:false` (spec 03 §2): our own records, whose invariants the server
 * relies on, and the Bluesky profile, which the server reads back (profile.get, account export).
 */
export function alwaysValidated(collection: string): boolean {
  const nsid = normalizeNsidAuthority(collection);
  return nsid.startsWith("net.openfederation.") || nsid === "app.bsky.actor.profile";
}

/** Whether a write with this `validate` checks the record (and its rkey) against a known lexicon. */
export function lexiconApplies(collection: string, validate: boolean | undefined): boolean {
  return validate !== false || alwaysValidated(collection);
}

/**
 * Normalise and check one record. `validate` follows AT semantics (spec 10 §7): undefined → validate known
 * lexicons ("valid"), accept unknown ("unknown"); true → unknown is 400 "Lexicon not found"; false → no lexicon
 * validation ("unknown" stored; write responses omit the status), except alwaysValidated collections. The data
 * model (data-model.ts) is checked whatever `validate` says.
 */
export async function prepareRecord(
  lexicons: LexiconRegistry,
  collection: string,
  record: unknown,
  validate: boolean | undefined,
  dataModel: DataModelOptions = {},
): Promise<PreparedRecord> {
  if (!record || typeof record !== "object" || Array.isArray(record)) throw invalidRequest("Record must be an object");
  const json = record as Record<string, unknown>;
  if (json.$type === undefined) {
    // spec 03 §2: the server sets a missing $type to the collection
  } else if (json.$type !== collection) {
    throw invalidRequest(`Invalid $type: expected ${collection}, got ${String(json.$type)}`);
  }
  // the data model holds whatever `validate` says: jsonToLex alone lets `{"$link":"notacid"}` and bad $bytes through
  assertDataModel(json, "record", dataModel);
  let value: Record<string, unknown>;
  try {
    value = jsonToLex({ ...json, $type: collection } as never) as Record<string, unknown>;
  } catch (err) {
    throw invalidRequest(`Invalid record data: ${(err as Error).message}`);
  }

  let validationStatus: ValidationStatus = "unknown";
  const known = recordKeyType(lexicons, collection) !== undefined;
  if (known && lexiconApplies(collection, validate)) {
    try {
      lexicons.lexicons.assertValidRecord(collection, value);
    } catch (err) {
      throw invalidRequest(`Invalid ${collection} record: ${(err as Error).message}`);
    }
    // spec 10 §8: datetime/cid/uri fields by the AT syntax (the library copy of the schemas skips them)
    const problem = lexicons.recordFormatProblem(collection, value);
    if (problem) throw invalidRequest(`Invalid ${collection} record: ${problem}`);
    validationStatus = "valid";
  } else if (!known && validate === true) {
    throw invalidRequest(`Lexicon not found: ${collection}`);
  }

  // The data-model form: BlobRef objects become plain {$type:"blob", ref: CID, mimeType, size}. Encoding the
  // lexicon form instead would store non-standard bytes (and CIDs no other PDS computes) for records with blobs.
  const ipld = lexToIpld(value as never) as Record<string, unknown>;
  const blocks = new BlockMap();
  let cid: CID;
  try {
    cid = (await blocks.add(ipld as never)) as unknown as CID;
  } catch (err) {
    throw invalidRequest(`Invalid record data: ${(err as Error).message}`);
  }
  const bytes = blocks.get(cid as never)!;
  if (bytes.byteLength > MAX_RECORD_BYTES) throw invalidRequest(`Record is too large (${bytes.byteLength} bytes; limit ${MAX_RECORD_BYTES})`);
  return { value, ipld, cid, bytes, validationStatus };
}

/** Data-model value → AT Protocol JSON, as stored in the index and returned by reads. */
export function recordToJson(value: unknown): unknown {
  return lexToJson(value as never);
}
