// Membership error constructors (spec 04 §5): names, statuses and safe messages in one place.
import { XrpcError } from "../xrpc/errors.ts";

export const alreadyMember = () => new XrpcError(409, "AlreadyMember", "You are already a member of this community");
export const alreadyRequested = () => new XrpcError(409, "AlreadyRequested", "Your join request is already pending");
/** 404: the member named by the request (the caller in `leave`, `memberDid` elsewhere) does not exist (04 §5) */
export const memberNotFound = (message = "Not a member of this community") => new XrpcError(404, "NotMember", message);
export const alreadyResolved = () => new XrpcError(400, "AlreadyResolved", "This join request has already been resolved");
export const joinRequestNotFound = () => new XrpcError(404, "NotFound", "Join request not found");
export const ownerCannotLeave = () => new XrpcError(403, "Forbidden", "The owner cannot leave: transfer ownership first");

/** Internal: the state changed between planning a commit and its transaction; plan again. */
export class MembershipRaced extends Error {
  constructor() {
    super("membership changed concurrently");
  }
}
