// Transfer to another server, source side (04 §8): the CommunityTransferService façade over ./transfer-owner.ts
// (transfer, cancelTransfer) and ./transfer-source-api.ts (verifyTransfer, getTransferRepo, confirmTransfer).
// The destination side is ./import.ts. Framework-free; handlers are thin.
import { eq } from "drizzle-orm";
import type { Config } from "../config/types.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../util/logger.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { KeyVault } from "../identity/keys.ts";
import type { PlcClient } from "../identity/plc-client.ts";
import type { RepoService } from "../repo/service.ts";
import type { Sequencer } from "../sequencer/index.ts";
import type { AccountService } from "../account/account-service.ts";
import type { OutboundFetchPolicy } from "../identity/fetch-policy.ts";
import type { CommunityService } from "./service.ts";
import { communityTransfers, communityImports } from "./transfer-schema.ts";
import { cancelTransfer, startTransfer, type TransferPackage } from "./transfer-owner.ts";
import { confirmTransfer, getTransferRepo, verifyTransfer } from "./transfer-source-api.ts";

export { TRANSFER_TTL_MS, MAX_TRANSFER_DOWNLOADS, transferNotFound, didNotUpdated, hashToken } from "./transfer-shared.ts";
export type { TransferPackage } from "./transfer-owner.ts";

export interface TransferDeps {
  config: Config;
  db: Database;
  keys: KeyVault;
  plc: PlcClient;
  repo: RepoService;
  sequencer: Sequencer;
  accounts: AccountService;
  audit: AuditLog;
  communities: CommunityService;
  /** did:web: the published document is fetched under the policy (02 §7) */
  fetchPolicy: OutboundFetchPolicy;
  logger: Logger;
}

/** What transfer-owner.ts and transfer-source-api.ts get from the service. */
export interface TransferCtx {
  deps: TransferDeps;
  now: () => number;
}

export class CommunityTransferService {
  private readonly ctx: TransferCtx;

  constructor(deps: TransferDeps, now: () => number = Date.now) {
    this.ctx = { deps, now };
    // transfers and imports of a deleted community go with it
    deps.communities.onDeleteInTx(async (tx, did) => {
      await tx.orm.delete(communityTransfers).where(eq(communityTransfers.communityDid, did)).run();
      await tx.orm.delete(communityImports).where(eq(communityImports.communityDid, did)).run();
    });
  }

  // ---- owner side: transfer-owner.ts --------------------------------------------------------------------

  transfer(input: { did: string; password?: string; importTicket: string }, callerDid: string): Promise<TransferPackage> {
    return startTransfer(this.ctx, input, callerDid);
  }
  cancelTransfer(did: string, callerDid: string): Promise<{ success: true }> {
    return cancelTransfer(this.ctx, did, callerDid);
  }

  // ---- token-authenticated calls from the destination: transfer-source-api.ts -----------------------------

  verifyTransfer(did: string, token: unknown) {
    return verifyTransfer(this.ctx, did, token);
  }
  /** The CAR at rootCid (the repo is frozen there). At most MAX_TRANSFER_DOWNLOADS per transfer. */
  getTransferRepo(did: string, token: unknown): Promise<ReadableStream<Uint8Array>> {
    return getTransferRepo(this.ctx, did, token);
  }
  /** The destination reports completion: the DID must now resolve to it (fresh), then the community is `migrated`. */
  confirmTransfer(did: string, token: unknown): Promise<{ status: "migrated" }> {
    return confirmTransfer(this.ctx, did, token);
  }
}
