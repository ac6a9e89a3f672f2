// Transfer constants, errors and helpers shared by the owner side, the destination-facing calls and import.ts (04 §8).
import { createHash } from "node:crypto";
import { DomainError } from "../errors.ts";

export const TRANSFER_TTL_MS = 24 * 3_600_000;
export const MAX_TRANSFER_DOWNLOADS = 5;

export const transferNotFound = () => new DomainError("notFound", "TransferNotFound", "Transfer not found");
export const didNotUpdated = (message = "The DID document does not point to the destination yet; try again shortly") =>
  new DomainError("conflict", "DidNotUpdated", message);

export const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");
