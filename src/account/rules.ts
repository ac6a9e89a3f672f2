// Input rules for names, emails, passwords and login identifiers (spec 01 §4), with the spec's exact messages.
import { isValidHandle } from "@atproto/syntax";
import { RESERVED_NAMES } from "../names/reserved.ts";

// The reserved names belong to the shared namespace (src/names); nameProblem below applies them.
export { RESERVED_NAMES };

export const PDS_ROLES = ["admin", "moderator", "partner-manager", "auditor", "user"] as const;
export type PdsRole = (typeof PDS_ROLES)[number];
export const isPdsRole = (r: string): r is PdsRole => (PDS_ROLES as readonly string[]).includes(r);

export const MSG = {
  nameLength: "Handle must be 3-30 characters",
  nameChars: "Handle may contain only lowercase letters, digits and hyphens",
  nameHyphens: "Handle cannot start or end with a hyphen or contain consecutive hyphens",
  nameReserved: "Handle is reserved",
  password: "Password must be 10-128 characters and contain at least 3 of: lowercase, uppercase, digit, special character",
  email: "Invalid email address",
} as const;

/** Trim, lower-case and reduce a full local handle to its name. */
export function normaliseName(input: string, handleDomain: string): string {
  const v = input.trim().toLowerCase();
  const suffix = `.${handleDomain.toLowerCase()}`;
  return v.endsWith(suffix) ? v.slice(0, -suffix.length) : v;
}

/** Returns the §4 message for an invalid name, undefined when valid. */
export function nameProblem(name: string, handleDomain: string, opts: { allowReserved?: boolean } = {}): string | undefined {
  if (name.length < 3 || name.length > 30) return MSG.nameLength;
  if (!/^[a-z0-9-]+$/.test(name)) return MSG.nameChars;
  if (name.startsWith("-") || name.endsWith("-") || name.includes("--")) return MSG.nameHyphens;
  if (!opts.allowReserved && RESERVED_NAMES.has(name)) return MSG.nameReserved;
  const full = `${name}.${handleDomain}`;
  if (full.length > 253 || !isValidHandle(full)) return "Handle is not a valid AT Protocol handle";
  return undefined;
}

export const normaliseEmail = (input: string): string => input.trim().toLowerCase();

const EMAIL_LOCAL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$/;
const EMAIL_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

export function isValidEmail(email: string): boolean {
  if (email.length > 254) return false;
  const at = email.lastIndexOf("@");
  if (at <= 0) return false;
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split(".");
  if (!EMAIL_LOCAL.test(local) || labels.length < 2) return false;
  return labels.every((l) => l.length <= 63 && EMAIL_LABEL.test(l));
}

/** 10–128 code points and at least 3 of: lowercase, uppercase, digit, special (anything else). */
export function isAcceptablePassword(password: string): boolean {
  const cps = [...password];
  if (cps.length < 10 || cps.length > 128) return false;
  let lower = 0, upper = 0, digit = 0, special = 0;
  for (const c of cps) {
    if (c >= "a" && c <= "z") lower = 1;
    else if (c >= "A" && c <= "Z") upper = 1;
    else if (c >= "0" && c <= "9") digit = 1;
    else special = 1;
  }
  return lower + upper + digit + special >= 3;
}

export type Identifier =
  | { kind: "email"; value: string }
  | { kind: "did"; value: string }
  | { kind: "name"; value: string }
  | { kind: "externalHandle"; value: string }
  | { kind: "none"; value: string };

/** Login identifier classification (§4). */
export function classifyIdentifier(input: string, handleDomain: string): Identifier {
  const v = input.trim().toLowerCase();
  if (v.length > 320) return { kind: "none", value: v };
  if (v.includes("@")) return { kind: "email", value: v };
  if (v.startsWith("did:")) return { kind: "did", value: v };
  const suffix = `.${handleDomain.toLowerCase()}`;
  if (v.endsWith(suffix)) return { kind: "name", value: v.slice(0, -suffix.length) };
  if (!v.includes(".")) return { kind: "name", value: v };
  if (isValidHandle(v)) return { kind: "externalHandle", value: v };
  return { kind: "none", value: v };
}
