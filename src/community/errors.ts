// Community error constructors (spec 04 §3, 05 §2): one place for the XRPC names, statuses and safe messages.
import { XrpcError } from "../xrpc/errors.ts";

export const communityNotFound = (message = "Community not found") => new XrpcError(404, "NotFound", message);
export const notMember = (message = "You are not a member of this community") => new XrpcError(403, "NotMember", message);
export const insufficientPrivileges = () => new XrpcError(403, "Forbidden", "Insufficient community privileges");
export const communitySuspended = () => new XrpcError(403, "CommunitySuspended", "This community is suspended: it is read-only");
export const communityTakenDown = () => new XrpcError(410, "CommunityTakenDown", "This community has been taken down");
export const communityPrivate = () => new XrpcError(403, "CommunityPrivate", "This community is private");
export const transferPending = () => new XrpcError(409, "TransferPending", "A transfer of this community is pending; writes are frozen");
export const communityMoved = (to: string | null) => new XrpcError(400, "InvalidRequest", `community has moved to ${to ?? "another server"}`);
export const handleTaken = (message = "Handle is already taken") => new XrpcError(409, "HandleTaken", message);
export const didTaken = (message = "This DID is already hosted here") => new XrpcError(409, "DidTaken", message);
export const invalidDomain = (message: string) => new XrpcError(400, "InvalidDomain", message);
