// Account row helpers: full handles, wire status, and the status → error mapping of the status gate (01 §2, §9.3).
import type { AccountStatus } from "../caller.ts";
import { DomainError } from "../errors.ts";
import type { accounts } from "./schema.ts";

export type AccountRow = typeof accounts.$inferSelect;

export const fullHandle = (row: Pick<AccountRow, "name" | "externalHandle">, handleDomain: string): string =>
  row.externalHandle ?? `${row.name}.${handleDomain}`;

/** `status` as AT Protocol's getSession/createSession report it; undefined when active or not representable. */
export function wireStatus(status: AccountStatus): "deactivated" | "suspended" | "takendown" | undefined {
  switch (status) {
    case "deactivated":
    case "disabled":
      return "deactivated";
    case "suspended":
      return "suspended";
    case "takendown":
      return "takendown";
    default:
      return undefined;
  }
}

const RESTRICTED_HINT = "Log in with allowTakendown to get a session for exporting your data and migrating.";

/** The error a status answers outside its allowlist (00 §5). */
/** 400 InvalidStatus: the transition does not start from the account's status (01 §3). */
export const invalidStatus = (status: string) => new DomainError("invalid", "InvalidStatus", `Not possible while the account is ${status}`);

export function statusError(status: AccountStatus): DomainError {
  switch (status) {
    case "deactivated":
      return new DomainError("forbidden", "AccountDeactivated", "Account is deactivated");
    case "suspended":
      return new DomainError("forbidden", "AccountSuspended", `Account is suspended. ${RESTRICTED_HINT}`);
    case "takendown":
      return new DomainError("gone", "AccountTakenDown", `Account has been taken down. ${RESTRICTED_HINT}`);
    case "disabled":
      return new DomainError("forbidden", "AccountDisabled", `Account is disabled. ${RESTRICTED_HINT}`);
    case "pending":
    case "rejected":
      return new DomainError("forbidden", "AccountNotApproved", "Account is not approved");
    default:
      return new DomainError("auth", "InvalidToken", "Token could not be verified");
  }
}
