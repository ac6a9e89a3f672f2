// What a strict relay checks on each #commit before accepting it (signature, prevData chain, Sync 1.1 inversion).
import { expect } from "bun:test";
import { readCarWithRoot } from "@atproto/repo";
import { verifySignature } from "@atproto/crypto";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { invertCommitEvent } from "../repo/_invert.ts";

export async function verifyCommit(body: any, prevDataByRepo: Map<string, string>, keyOf: (did: string) => Promise<string>): Promise<void> {
  const { root, blocks } = await readCarWithRoot(body.blocks as Uint8Array);
  expect(root.toString()).toBe(body.commit.toString());
  const commit = dagCbor.decode(blocks.get(root)!) as { did: string; version: number; data: any; rev: string; prev: unknown; sig: Uint8Array };
  expect(commit).toMatchObject({ did: body.repo, version: 3, rev: body.rev });
  const { sig, ...unsigned } = commit;
  expect(await verifySignature(await keyOf(body.repo), dagCbor.encode(unsigned), sig)).toBe(true);
  expect(body).toMatchObject({ rebase: false, tooBig: false, blobs: [] });
  expect(body.ops.length).toBeLessThanOrEqual(200);
  const previous = prevDataByRepo.get(body.repo);
  if (previous === undefined) {
    expect(body.since).toBeNull();
    expect(body.prevData).toBeUndefined();
  } else {
    expect(body.prevData?.toString()).toBe(previous);
    // Sync 1.1: inverting the ops with only the frame's blocks lands exactly on prevData
    expect(await invertCommitEvent(body)).toBe(previous);
  }
  for (const op of body.ops) {
    if (op.action === "create") expect(op.prev).toBeUndefined();
    // the previous record's CID (a dag-cbor CIDv1), not merely present: null would have passed toBeDefined
    else expect(CID.asCID(op.prev)?.toString()).toMatch(/^bafyrei[a-z2-7]{52}$/);
    if (op.action === "delete") expect(op.cid).toBeNull();
  }
  prevDataByRepo.set(body.repo, commit.data.toString());
}

