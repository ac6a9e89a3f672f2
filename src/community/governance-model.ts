// setGovernanceModel (spec 05 §4): enter simple-majority directly; leaving it or changing its config needs a
// proposal (the one governance gate refuses the settings write: governance-guard.ts).
import { invalidRequest } from "../errors.ts";
import { COL } from "./permissions.ts";
import { communityStatusGate, requirePermission, resolveCommunity } from "./gate.ts";
import { recordOn } from "./roles.ts";
import { configOf, modelOf, sameConfig, validateConfig, type GovernanceConfig, type GovernanceModel } from "./governance-rules.ts";
import { roleGrantsFor } from "./proposal-target.ts";
import { commitAtHead, type GovernanceDeps } from "./governance-deps.ts";

export async function setGovernanceModel(deps: GovernanceDeps, identifier: string, caller: string, input: { governanceModel: string; governanceConfig?: Record<string, unknown> }) {
  const c0 = await resolveCommunity(deps, identifier);
  communityStatusGate(c0, { write: true, now: deps.now() });
  await requirePermission(deps, c0, caller, "community.settings.write");
  if (input.governanceModel !== "benevolent-dictator" && input.governanceModel !== "simple-majority") throw invalidRequest("governanceModel must be benevolent-dictator or simple-majority");
  const model = input.governanceModel as GovernanceModel;
  if (model === "benevolent-dictator" && input.governanceConfig !== undefined) throw invalidRequest("benevolent-dictator takes no governanceConfig");
  return commitAtHead(deps, c0.did, async (_head, c) => {
    const orm = deps.db.orm;
    await requirePermission(deps, c, caller, "community.settings.write");
    const current = await recordOn(orm, c.did, COL.settings, "self");
    if (!current) throw invalidRequest("The community has no settings record");
    const cfg: GovernanceConfig | undefined = model === "simple-majority"
      ? validateConfig(input.governanceConfig, await roleGrantsFor(orm, c.did, input.governanceConfig))
      : undefined;
    const previousModel = modelOf(current.value);
    if (previousModel === model && (model === "benevolent-dictator" || sameConfig(configOf(current.value), cfg!))) throw invalidRequest("The governance model and config are unchanged");
    const next: Record<string, unknown> = { ...current.value, governanceModel: model };
    if (cfg) next.governanceConfig = cfg;
    else delete next.governanceConfig;
    return {
      // leaving simple-majority or changing its config: the governance gate answers 403 GovernanceDenied here
      ops: [{ action: "update", collection: COL.settings, rkey: "self", record: next, swapRecord: current.cid }],
      inTx: async (tx) => deps.audit.writeInTx(tx, { action: "community.governance.setModel", actorType: "account", actorDid: caller, targetDid: c.did, meta: { previousModel, newModel: model, governanceConfig: cfg ?? null } }),
      result: () => ({ success: true as const, governanceModel: model, ...(cfg ? { governanceConfig: cfg } : {}) }),
    };
  });
}
