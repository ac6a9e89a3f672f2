// Verification of a transferred community CAR (04 §8 completeImport), before anything is stored: the root commit is
// for the DID, signed by an accepted key, at the announced root CID; the tree is complete; the managed records are
// well-formed; exactly one member holds roleRkey "owner" and it is the caller.
import { MemoryBlockstore, Repo, readCarWithRoot, verifyCommitSig } from "@atproto/repo";
import { forbidden } from "../errors.ts";
import { invalidCar, invalidSignature } from "../repo/import.ts";
import { recordToJson } from "../repo/records.ts";
import { COL } from "./permissions.ts";

export interface VerifiedCommunityCar {
  rootCid: string;
  records: Array<{ collection: string; rkey: string; record: Record<string, unknown> }>;
  ownerDid: string;
}

export async function verifyCommunityCar(
  car: Uint8Array,
  expect: { did: string; acceptKeys: string[]; rootCid?: string; ownerDid: string },
): Promise<VerifiedCommunityCar> {
  let parsed: Awaited<ReturnType<typeof readCarWithRoot>>;
  try {
    parsed = await readCarWithRoot(car);
  } catch (err) {
    throw invalidCar(`Could not parse CAR: ${short(err)}`);
  }
  let source: Repo;
  try {
    source = await Repo.load(new MemoryBlockstore(parsed.blocks), parsed.root);
  } catch (err) {
    throw invalidCar(`CAR root is not a readable repo commit: ${short(err)}`);
  }
  if (source.did !== expect.did) throw invalidCar("Repo commit is for a different DID");
  let signed = false;
  for (const key of expect.acceptKeys) {
    if (await verifyCommitSig(source.commit, key).catch(() => false)) {
      signed = true;
      break;
    }
  }
  if (!signed) throw invalidSignature("Repo commit is not signed by the DID's current key nor by the key reserved for this import");
  if (expect.rootCid !== undefined && parsed.root.toString() !== expect.rootCid) throw invalidCar("CAR root is not the transfer's rootCid");

  const records: VerifiedCommunityCar["records"] = [];
  try {
    for await (const r of source.walkRecords()) records.push({ collection: r.collection, rkey: r.rkey, record: recordToJson(r.record) as Record<string, unknown> });
  } catch (err) {
    throw invalidCar(`Repo tree is incomplete or holds invalid data: ${short(err)}`);
  }
  const one = (col: string) => records.filter((r) => r.collection === col && r.rkey === "self").length === 1;
  if (!one(COL.settings) || !one(COL.profile)) throw invalidCar("A community repo needs settings/self and profile/self");
  for (const r of records) {
    if (r.collection === COL.member && (r.record.did !== r.rkey || typeof r.record.roleRkey !== "string")) throw invalidCar(`Invalid member record ${r.rkey}`);
    if (r.collection === COL.role && (typeof r.record.name !== "string" || !Array.isArray(r.record.permissions))) throw invalidCar(`Invalid role record ${r.rkey}`);
  }
  if (!records.some((r) => r.collection === COL.role && r.rkey === "owner")) throw invalidCar("The owner role is missing");
  const owners = records.filter((r) => r.collection === COL.member && r.record.roleRkey === "owner");
  if (owners.length !== 1) throw invalidCar("A community repo needs exactly one member with the owner role");
  const ownerDid = owners[0]!.rkey;
  if (ownerDid !== expect.ownerDid) throw forbidden("Only the community's owner can complete its import");
  return { rootCid: parsed.root.toString(), records, ownerDid };
}

function short(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/[^\x20-\x7e]+/g, " ").slice(0, 160);
}
