// Communities domain (spec 04, 05): service, gate, managed writer, schema.
export { CommunityService, type Caller, type CreateCommunityInput, type UpdateCommunityInput, PRIVATE_WARNING } from "./service.ts";
export * from "./gate.ts";
export { CommunityRepoWriter, applyProjectionsInTx, type CommunityWriteOptions } from "./writer.ts";
export { communities, joinRequests, communityMembers, communityRoles, type CommunityRow, type CommunityStatus, type JoinRequestRow } from "./schema.ts";
export { PERMISSIONS, DEFAULT_ROLES, COL, isPermission, type Permission } from "./permissions.ts";
export * from "./errors.ts";
