// Typed did:plc errors: each carries the HTTP status, a safe message and the rule it enforces.

/** Which rule of spec 07 §3 an error enforces; tests and import reports key on it. */
export type PlcRule =
  | "body" // §3.1 body / path problems
  | "too_large" // §3.2 CBOR size
  | "schema" // §3.3 strict schema
  | "limits" // §3.4 field limits
  | "signature" // §3.5 signature format or verification
  | "misordered" // §3.6/§3.7 prev problems
  | "genesis_hash" // §3.6 DID does not match genesis hash
  | "late_recovery" // §3.7 72 h window
  | "lost_race" // §3.7 409 on POST
  | "op_rate_limit" // §3.8 per-DID limits
  | "ip_rate_limit" // §3.9 per-IP limits
  | "not_found"
  | "bad_request";

export class PlcError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly rule: PlcRule,
  ) {
    super(message);
    this.name = "PlcError";
  }
}

export const misordered = (detail?: string) =>
  new PlcError(400, detail ? `Operations not correctly ordered: ${detail}` : "Operations not correctly ordered", "misordered");

export const invalidSignature = (op: unknown) =>
  new PlcError(400, `Invalid signature on op: ${JSON.stringify(op)}`, "signature");

export const notValidOperation = (reason: string) => new PlcError(400, `Not a valid operation: ${reason}`, "schema");

export const limitError = (message: string) => new PlcError(400, message, "limits");

export const genesisHashError = (expected: string) =>
  new PlcError(400, `Hash of genesis operation does not match DID identifier: ${expected}`, "genesis_hash");

export const lateRecovery = (lapsedMs: number) =>
  new PlcError(
    400,
    `Recovery operation occurred outside of the allowed 72 hr recovery window. Time lapsed: ${lapsedMs}`,
    "late_recovery",
  );

export const lostRace = (headCid: string | null) =>
  new PlcError(409, `Proposed prev does not match the most recent operation: ${headCid ?? "none"}`, "lost_race");
