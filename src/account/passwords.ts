// Password hashing: argon2id with the spec's parameters (01 §1); bcrypt hashes still verify and get re-hashed.
const ARGON2 = { algorithm: "argon2id", memoryCost: 19456, timeCost: 2 } as const;

export const hashPassword = (password: string): Promise<string> => Bun.password.hash(password, ARGON2);

/**
 * Verified against for unknown identifiers and `creating` accounts, so every unlocked attempt costs exactly one
 * argon2id verification and timing does not reveal whether an identifier exists (01 §9.4).
 */
let dummyHash: string | undefined;
export function dummyPasswordHash(): string {
  return (dummyHash ??= Bun.password.hashSync(`ofpds-dummy-${crypto.randomUUID()}`, ARGON2));
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await Bun.password.verify(password, hash);
  } catch {
    return false;
  }
}

export const needsRehash = (hash: string): boolean => !hash.startsWith("$argon2id$");
