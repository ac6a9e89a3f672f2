// Community creation (spec 04 §2, §4): did:plc and did:web genesis, the 7 genesis records, compensation.
import { and, eq } from "drizzle-orm";
import { Secp256k1Keypair } from "@atproto/crypto";
import type { Tx } from "../db/database.ts";
import { accounts } from "../account/schema.ts";
import { identityKeys } from "../identity/schema.ts";
import { nameProblem, normaliseName } from "../account/rules.ts";
import { forbidden, internalError, invalidRequest, DomainError } from "../errors.ts";
import { communities, communityMembers, communityRoles } from "./schema.ts";
import { COL, DEFAULT_ROLES } from "./permissions.ts";
import { checkDomain, publishInstructions, webDidDocument } from "./domain.ts";
import { didTaken, handleTaken, invalidDomain } from "./errors.ts";
import type { CommunityOpsCtx } from "./service.ts";
import type { Input } from "../lexicon-types/index.ts";

/** The lexicon's input (net.openfederation.community.create), already validated by the XRPC layer. */
export type CreateCommunityInput = Input<"net.openfederation.community.create">;

export interface CreatedCommunity {
  did: string;
  handle: string;
  didMethod: "plc" | "web";
  status: "active";
  primaryRotationKey?: { curve: "secp256k1"; privateKeyHex: string; didKey: string };
  message?: string;
  didDocument?: Record<string, unknown>;
  instructions?: string;
}

/** The creation fields shared by both DID methods, already validated. */
export interface NewBase {
  name: string;
  visibility: "public" | "private";
  joinPolicy: "open" | "approval";
  displayName: string;
  description: string;
  createdBy: string;
}

const ROTATION_KEY_MESSAGE =
  "Save this primary rotation key now: it is shown only once. You need it to migrate or recover the community, " +
  "and the operators of this server will never ask for it.";

export async function createCommunity(ctx: CommunityOpsCtx, input: CreateCommunityInput, caller: { did: string }): Promise<CreatedCommunity> {
  const { svc } = ctx;
  const { config, db, identity, logger } = ctx.deps;
  const name = normaliseName(input.handle, svc.handleDomain);
  const problem = nameProblem(name, svc.handleDomain);
  if (problem) throw invalidRequest(problem);
  const visibility = input.visibility ?? "public";
  const joinPolicy = input.joinPolicy ?? (visibility === "private" ? "approval" : "open");
  if (visibility === "private" && joinPolicy === "open") throw invalidRequest("A private community must use the approval join policy");
  const displayName = input.displayName ?? name;
  if ([...displayName].length < 1 || [...displayName].length > 64) throw invalidRequest("displayName must be 1-64 characters");
  const description = input.description ?? "";
  if ([...description].length > 2000) throw invalidRequest("description must be at most 2000 characters");
  const creator = await ctx.deps.accounts.getRow(caller.did);
  if (!creator || creator.status !== "approved") throw forbidden("Only approved local accounts can create communities");
  const handle = `${name}.${svc.handleDomain}`;
  const base = { name, visibility, joinPolicy, displayName, description, createdBy: caller.did };

  if (input.didMethod === "web") {
    if (input.rotationKey !== undefined) throw invalidRequest("rotationKey applies to did:plc communities only");
    if (input.domain === undefined) throw invalidRequest("domain is required for did:web");
    const checked = checkDomain(input.domain, config.hostname);
    if ("problem" in checked) throw invalidDomain(checked.problem);
    return createWebCommunity(ctx, checked.domain, handle, base);
  }
  if (input.domain !== undefined) throw invalidRequest("domain applies to did:web communities only");
  if (await ctx.deps.names.taken(db.orm, name)) throw handleTaken();

  const prepared = await identity.prepareIdentity({ handle, ...(input.rotationKey ? { rotationKey: input.rotationKey } : {}) });
  const did = prepared.did;
  // 1. reserve: the name and the keys, atomically (the unique index also guards the name). No lockKey: taking a
  // name is a write to the shared namespace, so it runs under the global lock where the check cannot race.
  await db.transaction(async (tx) => {
    if (await ctx.deps.names.taken(tx.orm, name)) throw handleTaken();
    await tx.orm.insert(communities).values(newCommunityRow(ctx, did, "plc", null, base, "creating", true)).run();
    await identity.storeKeysInTx(tx, prepared);
  });
  const compensate = () =>
    db.transaction(async (tx) => {
      await tx.orm.delete(communities).where(and(eq(communities.did, did), eq(communities.status, "creating"))).run();
      await identity.deleteKeysInTx(tx, did);
    }, { lockKey: did });
  // 2. PLC genesis, no transaction open
  try {
    await identity.submitGenesis(prepared);
  } catch (err) {
    await compensate().catch((e) => logger.error("community compensation failed", { did, err: String(e) }));
    throw err;
  }
  // 3. finalize: active, genesis commit with the 7 records, projections, events (public only), audit
  try {
    await db.transaction((tx) => finalizeCommunityInTx(ctx, tx, did, prepared.signingKeypair, handle, base, "plc", caller.did), { lockKey: did });
  } catch (err) {
    logger.error("community finalize failed after PLC accepted the genesis; tombstoning", { did, err: err instanceof Error ? err.message : String(err) });
    try {
      await identity.tombstone(did);
      await compensate();
    } catch (e) {
      logger.error("tombstone/compensation after failed community finalize did not complete", { did, err: String(e) });
    }
    throw err instanceof DomainError ? err : internalError();
  }
  return {
    did,
    handle,
    didMethod: "plc",
    status: "active",
    ...(prepared.primaryRotationKey ? { primaryRotationKey: prepared.primaryRotationKey, message: ROTATION_KEY_MESSAGE } : {}),
  };
}

async function createWebCommunity(ctx: CommunityOpsCtx, domain: string, handle: string, base: NewBase): Promise<CreatedCommunity> {
  const { svc } = ctx;
  const { config, db, keys } = ctx.deps;
  const did = `did:web:${domain}`;
  if (await svc.getRow(did)) throw didTaken();
  // "not a local handle of another subject" (02 §10)
  const suffix = `.${svc.handleDomain}`;
  if (domain.endsWith(suffix) && (await ctx.deps.names.taken(db.orm, domain.slice(0, -suffix.length)))) throw invalidDomain("Domain is the handle of another account or community here");
  if (await db.orm.select({ did: accounts.did }).from(accounts).where(eq(accounts.externalHandle, domain)).get()) throw invalidDomain("Domain is the handle of another account here");
  if (await ctx.deps.names.taken(db.orm, base.name)) throw handleTaken();
  const signing = await Secp256k1Keypair.create({ exportable: true });
  const ciphertext = keys.encrypt("identity.signing-key", did, await signing.export());
  // no PLC step: reserve and finalize are one transaction; the PK and the unique index catch races. No lockKey:
  // the name is taken here (global lock, as the did:plc reserve).
  await db.transaction(async (tx) => {
    if (await svc.getRow(did, tx.orm)) throw didTaken();
    if (await ctx.deps.names.taken(tx.orm, base.name)) throw handleTaken();
    await tx.orm.insert(communities).values(newCommunityRow(ctx, did, "web", domain, base, "creating", false)).run();
    await tx.orm.insert(identityKeys).values({ did, purpose: "identity.signing-key", ciphertext: Buffer.from(ciphertext), createdAt: new Date(ctx.now()).toISOString() }).run();
    await finalizeCommunityInTx(ctx, tx, did, signing, handle, base, "web", base.createdBy);
  });
  await ctx.verifyWeb(did);
  return {
    did,
    handle,
    didMethod: "web",
    status: "active",
    didDocument: webDidDocument(did, handle, signing.did(), config.serviceUrl),
    instructions: publishInstructions(domain, config.hostname),
  };
}

function newCommunityRow(ctx: CommunityOpsCtx, did: string, didMethod: "plc" | "web", domain: string | null, b: NewBase, status: "creating", verified: boolean) {
  return {
    did, name: b.name, didMethod, domain, ownerDid: b.createdBy, createdBy: b.createdBy, createdAt: new Date(ctx.now()).toISOString(),
    status, visibility: b.visibility, joinPolicy: b.joinPolicy, governanceModel: "benevolent-dictator",
    displayName: b.displayName, description: b.description, identityVerified: verified,
  };
}

/** The 7 genesis records of 04 §2, in one commit. */
export function genesisRecords(b: NewBase, didMethod: "plc" | "web", creatorHandle: string, at: string) {
  return [
    { collection: COL.settings, rkey: "self", record: { $type: COL.settings, didMethod, governanceModel: "benevolent-dictator", visibility: b.visibility, joinPolicy: b.joinPolicy } },
    { collection: COL.profile, rkey: "self", record: { $type: COL.profile, displayName: b.displayName, description: b.description, createdAt: at } },
    ...DEFAULT_ROLES.map((r) => ({ collection: COL.role, rkey: r.rkey, record: { $type: COL.role, name: r.name, description: r.description, permissions: r.permissions } })),
    { collection: COL.member, rkey: b.createdBy, record: { $type: COL.member, did: b.createdBy, handle: creatorHandle, roleRkey: "owner", joinedAt: at } },
  ];
}

async function finalizeCommunityInTx(ctx: CommunityOpsCtx, tx: Tx, did: string, signingKey: Secp256k1Keypair, handle: string, b: NewBase, didMethod: "plc" | "web", actorDid: string) {
  const at = new Date(ctx.now()).toISOString();
  await tx.orm.update(communities).set({ status: "active", statusChangedAt: at }).where(eq(communities.did, did)).run();
  const records = genesisRecords(b, didMethod, await ctx.svc.accountHandle(b.createdBy), at);
  const announce = didMethod === "plc" && b.visibility === "public";
  await ctx.deps.repo.createInTx(tx, { did, signingKey, records, ...(announce ? { announce: { handle } } : {}) });
  await tx.orm.insert(communityMembers).values({ communityDid: did, memberDid: b.createdBy, roleRkey: "owner", joinedAt: at }).run();
  for (const r of DEFAULT_ROLES) await tx.orm.insert(communityRoles).values({ communityDid: did, rkey: r.rkey, name: r.name, permissions: JSON.stringify(r.permissions) }).run();
  await ctx.deps.audit.writeInTx(tx, { action: "community.create", actorType: "account", actorDid, targetDid: did, meta: { handle, didMethod, visibility: b.visibility } });
}
