// com.atproto.server.createAccount speaks AT Protocol's error names (03 §8); the shared creation routine speaks
// ours (01 §8). Pre-checks and the mapping live here so the routine stays the one source of the rules.
import { DomainError } from "../../errors.ts";
import { isAcceptablePassword, isValidEmail, MSG, nameProblem, normaliseEmail, normaliseName } from "../rules.ts";

const bad = (name: string, message: string) => new DomainError("invalid", name, message);
const INVITE_ERRORS = new Set(["InviteRequired", "InviteInvalid", "InviteExpired", "InviteUsed", "InviteBound"]);

/** Input checks in the routine's order (handle → email → password → invite presence), with AT names. */
export function precheckCreateAccount(input: { handle: string; email?: string; password?: string; inviteCode?: string }, opts: { handleDomain: string; inviteRequired: boolean }): string {
  if (typeof input.handle !== "string") throw bad("InvalidHandle", "Handle is required");
  const h = input.handle.trim().toLowerCase();
  const suffix = `.${opts.handleDomain.toLowerCase()}`;
  if (h.includes(".") && !h.endsWith(suffix)) throw bad("UnsupportedDomain", `Handles must be under ${suffix}`);
  const name = normaliseName(h, opts.handleDomain);
  const problem = nameProblem(name, opts.handleDomain);
  if (problem === MSG.nameReserved) throw bad("HandleNotAvailable", problem);
  if (problem) throw bad("InvalidHandle", problem);
  if (typeof input.email !== "string" || !isValidEmail(normaliseEmail(input.email))) throw bad("InvalidRequest", MSG.email);
  if (typeof input.password !== "string" || !isAcceptablePassword(input.password)) throw bad("InvalidPassword", MSG.password);
  if (opts.inviteRequired && !input.inviteCode) throw bad("InvalidInviteCode", "An invite code is required");
  return name;
}

/** Maps the routine's own error names to createAccount's. Unknown errors pass through unchanged. */
export function toCreateAccountError(err: unknown): unknown {
  if (!(err instanceof DomainError)) return err;
  if (INVITE_ERRORS.has(err.error)) return bad("InvalidInviteCode", err.message);
  if (err.error === "AccountExists") return err.message.startsWith("Email") ? bad("InvalidRequest", "Email already in use") : bad("HandleNotAvailable", "Handle already taken");
  if (err.error === "InvalidRequest" && err.message === MSG.password) return bad("InvalidPassword", err.message);
  if (err.error === "InvalidRequest" && err.message === MSG.nameReserved) return bad("HandleNotAvailable", err.message);
  if (err.error === "InvalidRequest" && (Object.values(MSG) as string[]).includes(err.message) && err.message !== MSG.email) return bad("InvalidHandle", err.message);
  return err;
}
