// The repo engine's public surface.
export { RepoService, invalidSwap, MAX_WRITES, MAX_COMMIT_CAR_BYTES } from "./service.ts";
export type { RepoServiceDeps, WriteOp, WriteOptions, WriteResult, WriteResultItem, GenesisInput, RecordView } from "./service.ts";
export { SqlRepoStorage } from "./storage.ts";
export { inversionProof, commitProofBlocks } from "./proof.ts";
