// Blob domain (spec 03 §5): the service façade, the write-path helpers and the import bookkeeping.
export { BlobService, blobNotFound, blobTooLarge, type BlobView } from "./service.ts";
export { assertBlobRefsInTx, dropRecordBlobsInTx, dropRepoBlobRefsInTx, findBlobRefs, markExpectedInTx, setRecordBlobsInTx } from "./refs.ts";
export { BLOB_MIGRATION } from "./migrations.ts";
