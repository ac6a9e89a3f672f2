// Firehose event shapes (spec 03 §7) and their DAG-CBOR encoding.
import type { CID } from "multiformats/cid";

export type EventType = "#commit" | "#sync" | "#identity" | "#account";

export interface RepoOp {
  action: "create" | "update" | "delete";
  /** `<collection>/<rkey>` */
  path: string;
  /** new record CID; null on delete */
  cid: CID | null;
  /** previous record CID on update/delete (Sync 1.1) */
  prev?: CID;
}

export interface CommitEventInput {
  repo: string;
  commit: CID;
  rev: string;
  /** previous rev; null for genesis */
  since: string | null;
  /** CAR: commit block first root, new MST nodes and record blocks, plus the inversion proof nodes */
  blocks: Uint8Array;
  ops: RepoOp[];
  /** previous MST root; absent only on genesis */
  prevData?: CID;
}

/** An event as stored and fanned out. */
export interface SeqEvent {
  seq: number;
  did: string;
  type: EventType;
  /** DAG-CBOR body (seq included), ready to follow a `{op:1, t:type}` frame header */
  body: Uint8Array;
  time: string;
}
