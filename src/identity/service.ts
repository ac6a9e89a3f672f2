// IdentityService: did:plc genesis (prepare → store keys → submit), server-signed PLC ops, key access, service DID document.
import { and, eq } from "drizzle-orm";
import { parseDidKey, Secp256k1Keypair, type Keypair } from "@atproto/crypto";
import { signedGenesis, signPlcOp } from "./plc-sign.ts";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import type { Config } from "../config/types.ts";
import type { Database, Tx } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import { KeyedMutex } from "../util/mutex.ts";
import { DomainError } from "../errors.ts";
import type { KeyPurpose, KeyVault } from "./keys.ts";
import { PlcRejectedError, sanitise, type PlcClient, type PlcOperation } from "./plc-client.ts";
import { identityKeys } from "./schema.ts";
import { handleUpdateOp, rotationKeyUpdateOp, submittedOperationProblem } from "./plc-ops.ts";
import { requestedOperation, type PlcFieldChanges } from "./plc-sign-request.ts";

/** Everything the creation flow needs between reserve, PLC submission and finalize (02 §4). Holds no I/O results. */
export interface PreparedIdentity {
  did: string;
  handle: string;
  genesisOp: PlcOperation;
  signingKeypair: Secp256k1Keypair;
  encryptedSigningKey: Uint8Array;
  encryptedRecoveryKey: Uint8Array;
  /** generated for the holder and returned once; absent when the client supplied its own rotation key */
  primaryRotationKey?: { curve: "secp256k1"; privateKeyHex: string; didKey: string };
}

export interface RecommendedCredentials {
  rotationKeys: string[];
  alsoKnownAs: string[];
  verificationMethods: { atproto: string };
  services: { atproto_pds: { type: "AtprotoPersonalDataServer"; endpoint: string } };
}

export interface ServiceDidDocument {
  "@context": string[];
  id: string;
  verificationMethod: Array<{ id: string; type: "Multikey"; controller: string; publicKeyMultibase: string }>;
  service: Array<{ id: string; type: "AtprotoPersonalDataServer"; serviceEndpoint: string }>;
}

/** A key this server should hold for a DID is missing (never created here, or already deleted). */
export class IdentityKeyNotFoundError extends Error {
  constructor(did: string, purpose: KeyPurpose) {
    super(`no ${purpose} stored for ${did}`);
    this.name = "IdentityKeyNotFoundError";
  }
}

export type TombstoneResult = "tombstoned" | "already-tombstoned" | "not-found";

export const DID_CONTEXT = [
  "https://www.w3.org/ns/did/v1",
  "https://w3id.org/security/multikey/v1",
  "https://w3id.org/security/suites/secp256k1-2019/v1",
];

const DID_KEY_PREFIX = "did:key:";

export interface IdentityServiceDeps {
  config: Config;
  db: Database;
  keys: KeyVault;
  plc: PlcClient;
  logger: Logger;
}

export class IdentityService {
  private readonly config: Config;
  private readonly db: Database;
  private readonly keys: KeyVault;
  private readonly plc: PlcClient;
  private readonly logger: Logger;
  /** Server-signed operations on one DID are serialised: each one's `prev` is the head the previous one made. */
  private readonly perDid = new KeyedMutex();
  private serviceDoc: ServiceDidDocument | undefined;

  constructor(deps: IdentityServiceDeps) {
    this.config = deps.config;
    this.db = deps.db;
    this.keys = deps.keys;
    this.plc = deps.plc;
    this.logger = deps.logger;
  }

  /**
   * Generates the keys and the signed genesis operation (02 §3) and computes the DID. No I/O.
   * `rotationKey`: the holder's own public key (secp256k1 or P-256 did:key) instead of a generated one.
   */
  async prepareIdentity(opts: { handle: string; rotationKey?: string }): Promise<PreparedIdentity> {
    let primaryDidKey: string;
    let primaryRotationKey: PreparedIdentity["primaryRotationKey"];
    if (opts.rotationKey !== undefined) {
      primaryDidKey = validateRotationKey(opts.rotationKey);
    } else {
      const primary = await Secp256k1Keypair.create({ exportable: true });
      primaryDidKey = primary.did();
      primaryRotationKey = { curve: "secp256k1", privateKeyHex: Buffer.from(await primary.export()).toString("hex"), didKey: primaryDidKey };
    }
    const signing = await Secp256k1Keypair.create({ exportable: true });
    const recovery = await Secp256k1Keypair.create({ exportable: true });
    const handle = opts.handle.toLowerCase();
    // Signed by the recovery key: valid because it is rotationKeys[1] of this very operation.
    const { op, did } = await signedGenesis({
      signingKey: signing.did(),
      handle,
      pds: this.config.serviceUrl,
      rotationKeys: [primaryDidKey, recovery.did()],
      signer: recovery,
    });
    return {
      did,
      handle,
      genesisOp: op as unknown as PlcOperation,
      signingKeypair: signing,
      encryptedSigningKey: this.keys.encrypt("identity.signing-key", did, await signing.export()),
      encryptedRecoveryKey: this.keys.encrypt("identity.recovery-key", did, await recovery.export()),
      ...(primaryRotationKey ? { primaryRotationKey } : {}),
    };
  }

  /** Reserve step: stores the encrypted signing and recovery keys in the caller's transaction. */
  async storeKeysInTx(tx: Tx, prepared: PreparedIdentity): Promise<void> {
    const createdAt = new Date().toISOString();
    await tx.orm
      .insert(identityKeys)
      .values([
        { did: prepared.did, purpose: "identity.signing-key", ciphertext: Buffer.from(prepared.encryptedSigningKey), createdAt },
        { did: prepared.did, purpose: "identity.recovery-key", ciphertext: Buffer.from(prepared.encryptedRecoveryKey), createdAt },
      ])
      .run();
  }

  /** Compensation / deletion: removes every key held for the DID (tombstone first: it needs the recovery key). */
  async deleteKeysInTx(tx: Tx, did: string): Promise<void> {
    await tx.orm.delete(identityKeys).where(eq(identityKeys.did, did)).run();
  }

  /** Step 2 of creation; call with no transaction open. Any failure → 502 IdentityCreationFailed (sanitised). */
  async submitGenesis(prepared: PreparedIdentity): Promise<void> {
    try {
      await this.plc.submit(prepared.did, prepared.genesisOp);
    } catch (err) {
      const message =
        err instanceof PlcRejectedError ? `PLC directory rejected the identity: ${sanitise(err.message)}` : "PLC directory unavailable; try again later";
      this.logger.warn("plc genesis failed", { did: prepared.did, err: err instanceof Error ? err.message : String(err) });
      throw new DomainError("upstream", "IdentityCreationFailed", message);
    }
  }

  /**
   * Signs a `plc_tombstone` (prev = CID of the DID's last op) with the stored recovery key and submits it.
   * Idempotent: a DID already tombstoned, or never accepted by PLC, is reported rather than an error.
   * Throws PlcRejectedError / PlcUnavailableError / IdentityKeyNotFoundError.
   */
  async tombstone(did: string): Promise<TombstoneResult> {
    return this.tombstoneWith(did, () => this.keypair(did, "identity.recovery-key"));
  }

  /** As tombstone, signed with a recovery key held elsewhere (the tombstone outbox keeps it after deletion). */
  async tombstoneWith(did: string, recoveryKey: () => Promise<Keypair>): Promise<TombstoneResult> {
    return this.perDid.run(did, async () => {
      const recovery = await recoveryKey();
      const last = await this.plc.getLastOp(did);
      if (!last) return "not-found";
      if (last.type === "plc_tombstone") return "already-tombstoned";
      const op = await signPlcOp({ type: "plc_tombstone", prev: (await cidForOp(last)).toString() }, recovery);
      await this.plc.submit(did, op as PlcOperation);
      this.logger.info("plc tombstone submitted", { did });
      return "tombstoned";
    });
  }

  /** The DID's repo/service-auth signing key (decrypted, cached 10 min). */
  signingKeypair(did: string): Promise<Keypair> {
    return this.keypair(did, "identity.signing-key");
  }

  /** `did:key` of the signing key, i.e. the DID document's `#atproto` verification method. */
  async signingDidKey(did: string): Promise<string> {
    return (await this.signingKeypair(did)).did();
  }

  /** `com.atproto.identity.getRecommendedDidCredentials` (02 §11): what a PLC op must keep to stay hosted here. */
  async recommendedCredentials(did: string, handle: string): Promise<RecommendedCredentials> {
    const [recovery, signing] = await Promise.all([this.keypair(did, "identity.recovery-key"), this.signingKeypair(did)]);
    return {
      rotationKeys: [recovery.did()],
      alsoKnownAs: [`at://${handle}`],
      verificationMethods: { atproto: signing.did() },
      services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: this.config.serviceUrl } },
    };
  }

  /** The service DID document (02 §9), built from config and the service key only, never from request data. */
  async serviceDidDocument(): Promise<ServiceDidDocument> {
    if (this.serviceDoc) return this.serviceDoc;
    const did = this.config.serviceDid;
    const key = await this.keys.serviceKeypair();
    this.serviceDoc = {
      "@context": DID_CONTEXT,
      id: did,
      verificationMethod: [{ id: `${did}#atproto`, type: "Multikey", controller: did, publicKeyMultibase: key.did().slice(DID_KEY_PREFIX.length) }],
      service: [{ id: "#atproto_pds", type: "AtprotoPersonalDataServer", serviceEndpoint: this.config.serviceUrl }],
    };
    return this.serviceDoc;
  }

  /**
   * Handle change (02 §4): an `alsoKnownAs` update signed by the recovery key, prev = the DID's head, serialised per
   * DID. Throws PlcRejectedError / PlcUnavailableError / IdentityKeyNotFoundError; callers answer 502.
   */
  async submitHandleUpdate(did: string, handle: string): Promise<void> {
    return this.perDid.run(did, async () => {
      const recovery = await this.keypair(did, "identity.recovery-key");
      const last = await this.plc.getLastOp(did);
      if (!last || last.type === "plc_tombstone") throw new PlcRejectedError(404, "DID is not active in the directory");
      await this.plc.submit(did, await handleUpdateOp(last, handle, recovery));
      this.logger.info("plc handle update submitted", { did, handle });
    });
  }

  /**
   * transferOwnership (04 §7): replaces `rotationKeys[0]` with `didKey`, signed by the recovery key, serialised per DID.
   * Returns the replaced key (to put it back if the local commit fails). Throws as submitHandleUpdate; callers answer 502.
   */
  async submitRotationKeyUpdate(did: string, didKey: string): Promise<string | undefined> {
    return this.perDid.run(did, async () => {
      const recovery = await this.keypair(did, "identity.recovery-key");
      const last = await this.plc.getLastOp(did);
      if (!last || last.type !== "plc_operation") throw new PlcRejectedError(404, "DID is not active in the directory");
      const previous = (last as PlcOperation & { rotationKeys: string[] }).rotationKeys[0];
      await this.plc.submit(did, await rotationKeyUpdateOp(last, didKey, recovery));
      this.logger.info("plc rotation key update submitted", { did });
      return previous;
    });
  }

  /**
   * submitPlcOperation (02 §11): checks a holder-signed op against the DID's head and what keeps it hosted here
   * (400 InvalidRequest, nothing forwarded), then forwards it. Serialised per DID with server-signed ops.
   */
  async submitHolderOperation(did: string, op: unknown, handle: string): Promise<void> {
    return this.perDid.run(did, async () => {
      const [last, current, recovery, signing] = await Promise.all([
        this.plc.getLastOp(did),
        this.plc.getDocumentData(did),
        this.keypair(did, "identity.recovery-key"),
        this.signingKeypair(did),
      ]);
      if (!last || !current || last.type === "plc_tombstone") throw new DomainError("invalid", "InvalidRequest", "DID is not active in the directory");
      const problem = await submittedOperationProblem(op, {
        headCid: (await cidForOp(last)).toString(),
        current,
        recoveryDidKey: recovery.did(),
        signingDidKey: signing.did(),
        serviceUrl: this.config.serviceUrl,
        handle,
      });
      if (problem) throw new DomainError("invalid", "InvalidRequest", problem);
      await this.plc.submit(did, op as PlcOperation);
      this.logger.info("plc holder operation submitted", { did });
    });
  }

  /**
   * signPlcOperation (10 §5.3): an operation on the DID's head with `changes`, signed by the recovery key and returned
   * unsubmitted (the destination server submits it). Serialised per DID with the ops this server submits.
   */
  async signRequestedOperation(did: string, changes: PlcFieldChanges): Promise<PlcOperation> {
    return this.perDid.run(did, async () => requestedOperation(await this.plc.getLastOp(did), changes, await this.keypair(did, "identity.recovery-key")));
  }

  private async keypair(did: string, purpose: KeyPurpose): Promise<Secp256k1Keypair> {
    const row = await this.db.orm
      .select({ ciphertext: identityKeys.ciphertext })
      .from(identityKeys)
      .where(and(eq(identityKeys.did, did), eq(identityKeys.purpose, purpose)))
      .get();
    if (!row) throw new IdentityKeyNotFoundError(did, purpose);
    return this.keys.decryptKeypair(purpose, did, row.ciphertext);
  }
}

/** A client-supplied rotation key: a compressed secp256k1 or P-256 did:key; anything else → 400 InvalidRequest. */
export function validateRotationKey(didKey: string): string {
  const invalid = () => new DomainError("invalid", "InvalidRequest", "rotationKey must be a secp256k1 or P-256 did:key");
  if (typeof didKey !== "string" || !didKey.startsWith("did:key:z") || didKey.length > 256) throw invalid();
  let jwtAlg: string;
  try {
    // Decompresses the point, so an off-curve key fails here.
    jwtAlg = parseDidKey(didKey).jwtAlg;
  } catch {
    throw invalid();
  }
  if (jwtAlg !== "ES256K" && jwtAlg !== "ES256") throw invalid();
  return didKey;
}

/** CID (dag-cbor, sha-256) of a PLC operation as the directory stored it: the `prev` of the next op. */
export async function cidForOp(op: PlcOperation): Promise<CID> {
  const bytes = dagCbor.encode(op);
  return CID.createV1(dagCbor.code, await sha256.digest(bytes));
}
