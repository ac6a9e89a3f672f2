// GET /:did, /:did/data, /:did/log, /:did/log/audit, /:did/log/last.
import { PlcError } from "../ops/errors.ts";
import { buildDidDocument, buildDocumentData } from "../ops/document.ts";
import { opData } from "../ops/normalize.ts";
import type { AnyOp } from "../ops/types.ts";
import type { OpRow } from "../store/store.ts";
import type { PlcHttpContext } from "./context.ts";
import { pathDid } from "./did-param.ts";
import { DID_DOC_TYPE, json, jsonText } from "./respond.ts";

const notRegistered = (did: string) => new PlcError(404, `DID not registered: ${did}`, "not_found");
const notAvailable = (did: string) => new PlcError(404, `DID not available: ${did}`, "not_found");

function requestDid(request: Request): string {
  const { raw, did } = pathDid(request.url);
  if (did === null) throw notRegistered(raw);
  return did;
}

function latestLive(ctx: PlcHttpContext, did: string): OpRow {
  const row = ctx.store.latestLive(did);
  if (!row) throw notRegistered(did);
  return row;
}

/** Document data of the DID's latest live op; tombstoned DIDs answer 404 (resolvers treat only 404 as gone). */
function currentData(ctx: PlcHttpContext, did: string) {
  const data = opData(JSON.parse(latestLive(ctx, did).op_json) as AnyOp);
  if (!data) throw notAvailable(did);
  return data;
}

export function getDocument(ctx: PlcHttpContext, request: Request): Response {
  const did = requestDid(request);
  return json(buildDidDocument(did, currentData(ctx, did)), 200, DID_DOC_TYPE);
}

export function getData(ctx: PlcHttpContext, request: Request): Response {
  const did = requestDid(request);
  return json(buildDocumentData(did, currentData(ctx, did)));
}

export function getLog(ctx: PlcHttpContext, request: Request): Response {
  const did = requestDid(request);
  const rows = ctx.store.rows(did);
  if (rows.length === 0) throw notRegistered(did);
  return jsonText("[" + rows.filter((r) => r.nullified === 0).map((r) => r.op_json).join(",") + "]");
}

export function getAuditLog(ctx: PlcHttpContext, request: Request): Response {
  const did = requestDid(request);
  const rows = ctx.store.rows(did);
  if (rows.length === 0) throw notRegistered(did);
  const didJson = JSON.stringify(did);
  const entries = rows.map(
    (r) =>
      `{"did":${didJson},"operation":${r.op_json},"cid":${JSON.stringify(r.cid)},"nullified":${r.nullified === 1},"createdAt":${JSON.stringify(r.created_at)}}`,
  );
  return jsonText("[" + entries.join(",") + "]");
}

export function getLastOp(ctx: PlcHttpContext, request: Request): Response {
  const did = requestDid(request);
  return jsonText(latestLive(ctx, did).op_json);
}
