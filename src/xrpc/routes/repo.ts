// Route table part: the repo engine, blobs and sync reads (spec 03).
// One line per method (handler, auth guard, rate-limit bucket) so auth and limits read on one screen; src/xrpc/routes.ts joins the parts.
import type { RouteEntry } from "../types.ts";
import { none, selfAny, optional as optionalAuth, user as userAuth } from "../types.ts";
import { SANDBOX_CSP } from "../headers.ts";
import * as repoCreateRecord from "../../api/com/atproto/repo/createRecord.ts";
import * as repoPutRecord from "../../api/com/atproto/repo/putRecord.ts";
import * as repoDeleteRecord from "../../api/com/atproto/repo/deleteRecord.ts";
import * as repoApplyWrites from "../../api/com/atproto/repo/applyWrites.ts";
import * as repoGetRecord from "../../api/com/atproto/repo/getRecord.ts";
import * as repoListRecords from "../../api/com/atproto/repo/listRecords.ts";
import * as repoDescribeRepo from "../../api/com/atproto/repo/describeRepo.ts";
import * as syncGetRepo from "../../api/com/atproto/sync/getRepo.ts";
import * as syncGetLatestCommit from "../../api/com/atproto/sync/getLatestCommit.ts";
import * as syncGetRecord from "../../api/com/atproto/sync/getRecord.ts";
import * as repoImportRepo from "../../api/com/atproto/repo/importRepo.ts";
import * as repoUploadBlob from "../../api/com/atproto/repo/uploadBlob.ts";
import * as repoListMissingBlobs from "../../api/com/atproto/repo/listMissingBlobs.ts";
import * as syncGetBlob from "../../api/com/atproto/sync/getBlob.ts";
import * as syncListBlobs from "../../api/com/atproto/sync/listBlobs.ts";
import * as syncGetBlocks from "../../api/com/atproto/sync/getBlocks.ts";
import * as syncListRepos from "../../api/com/atproto/sync/listRepos.ts";
import * as syncGetRepoStatus from "../../api/com/atproto/sync/getRepoStatus.ts";

export const REPO_ROUTES: RouteEntry[] = [
  // nsid                                   handler                   auth   rateLimit
  // repo engine (spec 03 §4, §6)
  { nsid: "com.atproto.repo.createRecord", handler: repoCreateRecord.handler, auth: userAuth },
  { nsid: "com.atproto.repo.putRecord", handler: repoPutRecord.handler, auth: userAuth },
  { nsid: "com.atproto.repo.deleteRecord", handler: repoDeleteRecord.handler, auth: userAuth },
  { nsid: "com.atproto.repo.applyWrites", handler: repoApplyWrites.handler, auth: userAuth },
  { nsid: "com.atproto.repo.getRecord", handler: repoGetRecord.handler, auth: optionalAuth },
  { nsid: "com.atproto.repo.listRecords", handler: repoListRecords.handler, auth: optionalAuth },
  { nsid: "com.atproto.repo.describeRepo", handler: repoDescribeRepo.handler, auth: optionalAuth },
  { nsid: "com.atproto.sync.getRepo", handler: syncGetRepo.handler, auth: optionalAuth },
  { nsid: "com.atproto.sync.getLatestCommit", handler: syncGetLatestCommit.handler, auth: optionalAuth },
  { nsid: "com.atproto.sync.getRecord", handler: syncGetRecord.handler, auth: optionalAuth },
  { nsid: "com.atproto.repo.importRepo", handler: repoImportRepo.handler, auth: selfAny },
  // blobs and hosting reads (spec 03 §4-§6); uploadBlob streams its body to disk
  { nsid: "com.atproto.repo.uploadBlob", handler: repoUploadBlob.handler, auth: selfAny, body: { maxBytes: (c) => c.blobMaxBytes, tooLargeError: "BlobTooLarge", stream: true } },
  { nsid: "com.atproto.repo.listMissingBlobs", handler: repoListMissingBlobs.handler, auth: selfAny },
  { nsid: "com.atproto.sync.getBlob", handler: syncGetBlob.handler, auth: optionalAuth, csp: SANDBOX_CSP },
  { nsid: "com.atproto.sync.listBlobs", handler: syncListBlobs.handler, auth: optionalAuth },
  { nsid: "com.atproto.sync.getBlocks", handler: syncGetBlocks.handler, auth: optionalAuth },
  { nsid: "com.atproto.sync.listRepos", handler: syncListRepos.handler, auth: none },
  { nsid: "com.atproto.sync.getRepoStatus", handler: syncGetRepoStatus.handler, auth: none },
];
