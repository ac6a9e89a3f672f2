// What the account service needs from the identity and repo services (narrowed, so tests can stub them).
import type { IdentityService, PreparedIdentity } from "../identity/service.ts";
import type { RepoService } from "../repo/index.ts";

export type PrimaryRotationKey = NonNullable<PreparedIdentity["primaryRotationKey"]>;
export type PreparedIdentityLike = PreparedIdentity;
export type IdentityPort = Pick<IdentityService, "prepareIdentity" | "storeKeysInTx" | "deleteKeysInTx" | "submitGenesis" | "tombstone">;
export type RepoPort = Pick<RepoService, "createInTx" | "announceInTx" | "deleteInTx">;
