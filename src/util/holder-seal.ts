// Seal a value so only the holder of a token can open it: AES-256-GCM keyed by a hash of the token's secret part.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Why: a rotated refresh token's successor must be shared by every cluster process for the 10 s grace, but a database
 * row must never hold a usable token. The key is derived from the presented token's secret (its jti, 128 random bits),
 * which the database stores only as a differently-salted hash; without the old token the row is noise.
 */
function keyFor(purpose: string, secret: string): Buffer {
  return createHash("sha256").update(`ofpds holder seal\0${purpose}\0${secret}`).digest();
}

export function sealForHolder(purpose: string, secret: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyFor(purpose, secret), iv, { authTagLength: TAG_BYTES });
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString("base64url");
}

/** The plaintext, or undefined when the secret does not open it (wrong token, tampered row). */
export function openForHolder(purpose: string, secret: string, sealed: string): string | undefined {
  const buf = Buffer.from(sealed, "base64url");
  if (buf.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFor(purpose, secret), buf.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
