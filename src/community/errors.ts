// Community error constructors (spec 04 §3, 05 §2): one place for the XRPC names, statuses and safe messages.
import { DomainError } from "../errors.ts";

export const communityNotFound = (message = "Community not found") => new DomainError("notFound", "NotFound", message);
export const notMember = (message = "You are not a member of this community") => new DomainError("forbidden", "NotMember", message);
export const insufficientPrivileges = () => new DomainError("forbidden", "Forbidden", "Insufficient community privileges");
export const communitySuspended = () => new DomainError("forbidden", "CommunitySuspended", "This community is suspended: it is read-only");
export const communityTakenDown = () => new DomainError("gone", "CommunityTakenDown", "This community has been taken down");
export const communityPrivate = () => new DomainError("forbidden", "CommunityPrivate", "This community is private");
export const transferPending = () => new DomainError("conflict", "TransferPending", "A transfer of this community is pending; writes are frozen");
export const communityMoved = (to: string | null) => new DomainError("invalid", "InvalidRequest", `community has moved to ${to ?? "another server"}`);
export const handleTaken = (message = "Handle is already taken") => new DomainError("conflict", "HandleTaken", message);
export const didTaken = (message = "This DID is already hosted here") => new DomainError("conflict", "DidTaken", message);
export const invalidDomain = (message: string) => new DomainError("invalid", "InvalidDomain", message);
