// GET /export: JSON lines, sequenced (after=<seq>) or legacy (after=<date> / absent) pagination.
import { PlcError } from "../ops/errors.ts";
import type { OpRow } from "../store/store.ts";
import type { PlcHttpContext } from "./context.ts";
import { JSONL_TYPE } from "./respond.ts";

export const MAX_EXPORT_COUNT = 1000;

/** `{did, cid, seq, createdAt, operation, type:"sequenced_op"}`: the sequenced export line and stream message. */
export function sequencedLine(r: Pick<OpRow, "did" | "cid" | "seq" | "created_at" | "op_json">): string {
  return `{"did":${JSON.stringify(r.did)},"cid":${JSON.stringify(r.cid)},"seq":${r.seq},"createdAt":${JSON.stringify(r.created_at)},"operation":${r.op_json},"type":"sequenced_op"}`;
}

function legacyLine(r: OpRow): string {
  return `{"did":${JSON.stringify(r.did)},"cid":${JSON.stringify(r.cid)},"createdAt":${JSON.stringify(r.created_at)},"operation":${r.op_json},"nullified":${r.nullified === 1}}`;
}

function parseCount(raw: string | null): number {
  if (raw === null) return MAX_EXPORT_COUNT;
  if (!/^\d+$/.test(raw)) throw new PlcError(400, "Invalid count parameter", "bad_request");
  const n = Number(raw);
  if (n < 1) throw new PlcError(400, "Invalid count parameter", "bad_request");
  return Math.min(n, MAX_EXPORT_COUNT);
}

export type ExportAfter = { mode: "seq"; seq: number } | { mode: "time"; iso: string };

export function parseAfter(raw: string | null): ExportAfter {
  if (raw === null || raw === "") return { mode: "time", iso: "" };
  if (/^\d+$/.test(raw)) {
    const seq = Number(raw);
    if (!Number.isSafeInteger(seq)) throw new PlcError(400, "Invalid after parameter", "bad_request");
    return { mode: "seq", seq };
  }
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new PlcError(400, "Invalid after parameter", "bad_request");
  return { mode: "time", iso: new Date(ms).toISOString() };
}

export function getExport(ctx: PlcHttpContext, request: Request): Response {
  const params = new URL(request.url).searchParams;
  const count = parseCount(params.get("count"));
  const after = parseAfter(params.get("after"));
  const body =
    after.mode === "seq"
      ? ctx.store.afterSeq(after.seq, count).map(sequencedLine).join("\n")
      : ctx.store.afterTime(after.iso, count).map(legacyLine).join("\n");
  return new Response(body, { status: 200, headers: { "Content-Type": JSONL_TYPE } });
}
