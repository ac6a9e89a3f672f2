// Development mode: generate missing secrets once and keep them in <DATA_DIR>/secrets.json (0600).
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { Secrets } from "./types.ts";

export function generateSecret(): string {
  return randomBytes(48).toString("base64url");
}

interface StoredSecrets {
  AUTH_JWT_SECRET: string;
  KEY_ENCRYPTION_SECRET: string;
}

export function ensureDevSecrets(dataDir: string, secrets: Secrets): Secrets {
  if (secrets.authJwtSecret && secrets.keyEncryptionSecret) return secrets;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, "secrets.json");
  let stored: StoredSecrets | undefined;
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    stored = JSON.parse(readFileSync(file, "utf8")) as StoredSecrets;
  } else {
    stored = { AUTH_JWT_SECRET: generateSecret(), KEY_ENCRYPTION_SECRET: generateSecret() };
    writeFileSync(file, JSON.stringify(stored, null, 2) + "\n", { mode: 0o600, flag: "wx" });
  }
  return {
    ...secrets,
    authJwtSecret: secrets.authJwtSecret || stored.AUTH_JWT_SECRET,
    keyEncryptionSecret: secrets.keyEncryptionSecret || stored.KEY_ENCRYPTION_SECRET,
  };
}
