// Membership error constructors (spec 04 §5): names, statuses and safe messages in one place.
import { DomainError } from "../errors.ts";

export const alreadyMember = () => new DomainError("conflict", "AlreadyMember", "You are already a member of this community");
export const alreadyRequested = () => new DomainError("conflict", "AlreadyRequested", "Your join request is already pending");
/** 404: the member named by the request (the caller in `leave`, `memberDid` elsewhere) does not exist (04 §5) */
export const memberNotFound = (message = "Not a member of this community") => new DomainError("notFound", "NotMember", message);
export const alreadyResolved = () => new DomainError("invalid", "AlreadyResolved", "This join request has already been resolved");
export const joinRequestNotFound = () => new DomainError("notFound", "NotFound", "Join request not found");
export const ownerCannotLeave = () => new DomainError("forbidden", "Forbidden", "The owner cannot leave: transfer ownership first");

/** Internal: the state changed between planning a commit and its transaction; plan again. */
export class MembershipRaced extends Error {
  constructor() {
    super("membership changed concurrently");
  }
}
