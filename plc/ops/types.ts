// did:plc operation and log-entry shapes (wire JSON; validated by schema.ts before use).

export interface PlcService {
  type: string;
  endpoint: string;
}

export interface PlcOperation {
  type: "plc_operation";
  rotationKeys: string[];
  verificationMethods: Record<string, string>;
  alsoKnownAs: string[];
  services: Record<string, PlcService>;
  prev: string | null;
  sig: string;
}

export interface PlcTombstone {
  type: "plc_tombstone";
  prev: string;
  sig: string;
}

/** Legacy genesis format: readable and importable forever, rejected on POST. */
export interface LegacyCreate {
  type: "create";
  signingKey: string;
  recoveryKey: string;
  handle: string;
  service: string;
  prev: null;
  sig: string;
}

export type AnyOp = PlcOperation | PlcTombstone | LegacyCreate;

/** The document-bearing part of an operation (legacy `create` normalised). */
export interface OpData {
  rotationKeys: string[];
  verificationMethods: Record<string, string>;
  alsoKnownAs: string[];
  services: Record<string, PlcService>;
}

/** One stored operation of a DID's audit log, oldest first. */
export interface LogEntry {
  cid: string;
  operation: AnyOp;
  nullified: boolean;
  /** ISO-8601 UTC with milliseconds */
  createdAt: string;
}

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;
export const RECOVERY_WINDOW_MS = 72 * HOUR_MS;
