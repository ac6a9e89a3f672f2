// Rules for PLC operations a holder submits through this server (02 §11 submitPlcOperation). Pure: no I/O.
import type { Keypair } from "@atproto/crypto";
import { assertOpSchema } from "../../plc/ops/schema.ts";
import { findSignerIndex, parseSignature } from "../../plc/ops/sig.ts";
import { cidForOp, unsignedBytes } from "../../plc/ops/encoding.ts";
import { signPlcOp } from "./plc-sign.ts";
import type { PlcDocumentData, PlcOperation } from "./plc-client.ts";

/** What the server expects an operation to keep so the DID stays hosted here. */
export interface HostedIdentity {
  /** CID of the DID's current head (`/log/last`) */
  headCid: string;
  /** current rotation keys: one of them must have signed the op */
  current: PlcDocumentData;
  recoveryDidKey: string;
  signingDidKey: string;
  serviceUrl: string;
  handle: string;
}

/** Shape of a signed `plc_operation` (the directory's own schema check); returns the problem or undefined. */
export function operationShapeProblem(op: unknown): string | undefined {
  if (typeof op !== "object" || op === null || (op as { type?: unknown }).type !== "plc_operation") return "operation must be a signed plc_operation";
  try {
    assertOpSchema(op, false);
  } catch (err) {
    return err instanceof Error ? err.message : "Not a valid operation";
  }
  if (typeof (op as { prev?: unknown }).prev !== "string") return "operation.prev must be the CID of the current operation";
  return undefined;
}

/**
 * The server-signed handle change (02 §4): `last` with the first `at://` alsoKnownAs entry replaced (or prepended),
 * prev = CID of `last`, signed by `signer` (the recovery key). `last` must be a `plc_operation`.
 */
export async function handleUpdateOp(last: PlcOperation, handle: string, signer: Keypair): Promise<PlcOperation> {
  if (last.type !== "plc_operation") throw new Error(`cannot build on a ${last.type}`);
  const { sig: _sig, ...prevData } = last as PlcOperation & { alsoKnownAs: string[] };
  const aka = `at://${handle}`;
  const i = prevData.alsoKnownAs.findIndex((a) => a.startsWith("at://"));
  const alsoKnownAs = i < 0 ? [aka, ...prevData.alsoKnownAs] : prevData.alsoKnownAs.map((a, j) => (j === i ? aka : a));
  return (await signPlcOp({ ...prevData, alsoKnownAs, prev: cidForOp(last) }, signer)) as PlcOperation;
}

/**
 * The server-signed rotation key change (04 §7 transferOwnership): `last` with `rotationKeys[0]` replaced by `didKey`,
 * prev = CID of `last`, signed by `signer` (the recovery key). `last` must be a `plc_operation`.
 */
export async function rotationKeyUpdateOp(last: PlcOperation, didKey: string, signer: Keypair): Promise<PlcOperation> {
  if (last.type !== "plc_operation") throw new Error(`cannot build on a ${last.type}`);
  const { sig: _sig, ...prevData } = last as PlcOperation & { rotationKeys: string[] };
  const rotationKeys = [didKey, ...prevData.rotationKeys.slice(1).filter((k) => k !== didKey)];
  return (await signPlcOp({ ...prevData, rotationKeys, prev: cidForOp(last) }, signer)) as PlcOperation;
}

/**
 * Every rule of 02 §11, in order; returns the first problem (a safe message for 400 InvalidRequest) or undefined.
 * The signature is checked against the DID's current rotation keys, as the directory will.
 */
export async function submittedOperationProblem(op: unknown, hosted: HostedIdentity): Promise<string | undefined> {
  const shape = operationShapeProblem(op);
  if (shape) return shape;
  const o = op as PlcOperation & { rotationKeys: string[]; verificationMethods: Record<string, string>; alsoKnownAs: string[]; services: Record<string, { type: string; endpoint: string }>; prev: string };
  const sig = parseSignature(o.sig);
  if (!sig || (await findSignerIndex(hosted.current.rotationKeys, unsignedBytes(o), sig)) < 0) {
    return "operation signature does not verify against the DID's current rotation keys";
  }
  if (o.prev !== hosted.headCid) return "operation.prev is not the DID's current operation";
  if (!o.rotationKeys.includes(hosted.recoveryDidKey)) return "operation.rotationKeys must include this server's recovery key (see getRecommendedDidCredentials)";
  if (o.verificationMethods.atproto !== hosted.signingDidKey) return "operation.verificationMethods.atproto must be this server's signing key for the account";
  const pds = o.services.atproto_pds;
  if (!pds || pds.type !== "AtprotoPersonalDataServer" || pds.endpoint !== hosted.serviceUrl) {
    return `operation.services.atproto_pds must be an AtprotoPersonalDataServer at ${hosted.serviceUrl}`;
  }
  if (o.alsoKnownAs[0] !== `at://${hosted.handle}`) return `operation.alsoKnownAs[0] must be at://${hosted.handle}`;
  return undefined;
}
