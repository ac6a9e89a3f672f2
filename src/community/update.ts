// Community update (spec 04 §4): profile and settings edits, visibility switches (governance: governance-guard.ts).
import type { WriteOp } from "../repo/service.ts";
import type { Input } from "../lexicon-types/index.ts";
import { internalError, invalidRequest } from "../errors.ts";
import { COL, type Permission } from "./permissions.ts";
import { communityStatusGate, membershipOf } from "./gate.ts";
import { communityNotFound, insufficientPrivileges, notMember } from "./errors.ts";
import type { CommunityOpsCtx } from "./service.ts";

/** The lexicon's input (net.openfederation.community.update) without the community, which is passed apart. */
export type UpdateCommunityInput = Omit<Input<"net.openfederation.community.update">, "did">;

export const PRIVATE_WARNING =
  "The community is now private: this server stops serving its repo and asks relays to stop too, but copies " +
  "already distributed (relays, AppViews, anyone who downloaded it) cannot be recalled.";

export async function updateCommunity(ctx: CommunityOpsCtx, identifier: string, callerDid: string, input: UpdateCommunityInput): Promise<{ success: true; warning?: string }> {
  const { svc, deps } = ctx;
  const profileFields = (["displayName", "description", "avatar"] as const).filter((k) => input[k] !== undefined);
  const settingsFields = (["visibility", "joinPolicy"] as const).filter((k) => input[k] !== undefined);
  const fields = [...profileFields, ...settingsFields];
  if (!fields.length) throw invalidRequest("Give at least one of displayName, description, avatar, visibility, joinPolicy");
  const c = await svc.resolve(identifier);
  communityStatusGate(c, { write: true, action: "write" });
  const me = await membershipOf(deps.db.orm, c, callerDid);
  if (!me) throw notMember();
  const needed: Permission[] = [...(profileFields.length ? ["community.profile.write" as const] : []), ...(settingsFields.length ? ["community.settings.write" as const] : [])];
  if (!needed.every((p) => me.permissions.includes(p))) throw insufficientPrivileges();

  const settingsRec = await deps.repo.getRecord(c.did, COL.settings, "self");
  const profileRec = await deps.repo.getRecord(c.did, COL.profile, "self");
  if (!settingsRec || !profileRec) throw internalError();
  const settings = settingsRec.value as Record<string, unknown>;
  // 05 §4 (simple-majority, protected profile/settings): refused by the one governance gate in the repo write path

  if (input.displayName !== undefined && ([...input.displayName].length < 1 || [...input.displayName].length > 64)) throw invalidRequest("displayName must be 1-64 characters");
  if (input.description !== undefined && [...input.description].length > 2000) throw invalidRequest("description must be at most 2000 characters");
  const visibility = input.visibility ?? c.visibility;
  // switching to private implies approval unless the caller explicitly asks for open (which is refused)
  const joinPolicy = input.joinPolicy ?? (visibility === "private" ? "approval" : c.joinPolicy);
  if (visibility === "private" && joinPolicy === "open") throw invalidRequest("A private community must use the approval join policy");

  const ops: WriteOp[] = [];
  if (profileFields.length) {
    const next: Record<string, unknown> = { ...(profileRec.value as Record<string, unknown>) };
    if (input.displayName !== undefined) next.displayName = input.displayName;
    if (input.description !== undefined) next.description = input.description;
    if (input.avatar === null) delete next.avatar;
    else if (input.avatar !== undefined) next.avatar = input.avatar;
    ops.push({ action: "update", collection: COL.profile, rkey: "self", record: next, swapRecord: profileRec.cid });
  }
  if (settingsFields.length) ops.push({ action: "update", collection: COL.settings, rkey: "self", record: { ...settings, visibility, joinPolicy }, swapRecord: settingsRec.cid });
  const toPrivate = c.visibility === "public" && visibility === "private";
  const toPublic = c.visibility === "private" && visibility === "public";
  await svc.writer.write(c.did, ops, {
    inTx: async (tx) => {
      const row = await svc.getRow(c.did, tx.orm);
      if (!row) throw communityNotFound();
      // the status may have changed since the gate ran: re-check inside the serialised transaction
      communityStatusGate(row, { write: true, action: "write" });
      const seq = deps.sequencer;
      if (toPrivate && row.identityVerified && row.status !== "migrated") await seq.accountInTx(tx, c.did, false, "deactivated");
      if (toPublic && row.identityVerified && (row.status === "active" || row.status === "suspended")) await deps.repo.announceInTx(tx, c.did, svc.handleOf(row));
      await deps.audit.writeInTx(tx, { action: "community.update", actorType: "account", actorDid: callerDid, targetDid: c.did, meta: { fields } });
    },
  });
  return { success: true, ...(toPrivate ? { warning: PRIVATE_WARNING } : {}) };
}
