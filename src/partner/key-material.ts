// Partner key material (spec 06 §7): `ofp_` + base64url(48 random bytes), stored as SHA-256 hex plus a 12-character prefix.
import { createHash, randomBytes } from "node:crypto";

export const KEY_PREFIX_LENGTH = 12;
/** 4 + 64 characters; anything else in X-Partner-Key is malformed */
export const KEY_RE = /^ofp_[A-Za-z0-9_-]{64}$/;

export const newPartnerKey = (): string => `ofp_${randomBytes(48).toString("base64url")}`;
export const hashPartnerKey = (key: string): string => createHash("sha256").update(key).digest("hex");
export const keyPrefixOf = (key: string): string => key.slice(0, KEY_PREFIX_LENGTH);
