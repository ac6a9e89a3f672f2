// Role error constructors (spec 05 §2-§3): names, statuses and safe messages in one place.
import { DomainError } from "../errors.ts";

export const roleNotFound = () => new DomainError("notFound", "RoleNotFound", "Role not found");
export const roleNameTaken = () => new DomainError("conflict", "RoleNameTaken", "A role with this name already exists");
export const ownerLockout = () => new DomainError("invalid", "OwnerLockout", "The owner role can never be updated or deleted");
export const roleInUse = (why = "a member holds it") => new DomainError("conflict", "RoleInUse", `The role is in use (${why}). Reassign members first`);
export const cannotChangeOwner = () =>
  new DomainError("invalid", "CannotChangeOwner", "The owner role changes hands only through transferOwnership");
export const escalation = () => new DomainError("forbidden", "Forbidden", "Cannot grant permissions you do not hold");
/** 404: the member whose role is changed is not a member (05 §3 updateMemberRole) */
export const targetNotMember = () => new DomainError("notFound", "NotMember", "Not a member of this community");
