// Response helpers: JSON/error bodies, CORS headers on everything, content types of §4.
import { PlcError } from "../ops/errors.ts";
import type { Logger } from "../../src/util/logger.ts";

export const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Max-Age": "86400",
};

export const JSON_TYPE = "application/json; charset=utf-8";
export const DID_DOC_TYPE = "application/did+ld+json; charset=utf-8";
export const JSONL_TYPE = "application/jsonlines";
export const TEXT_TYPE = "text/plain; charset=utf-8";

export function withCors(res: Response): Response {
  for (const [k, v] of Object.entries(CORS_HEADERS)) res.headers.set(k, v);
  return res;
}

export function jsonText(body: string, status = 200, type = JSON_TYPE): Response {
  return new Response(body, { status, headers: { "Content-Type": type } });
}

export function json(value: unknown, status = 200, type = JSON_TYPE): Response {
  return jsonText(JSON.stringify(value), status, type);
}

export function message(status: number, text: string): Response {
  return json({ message: text }, status);
}

/** Map anything thrown by a handler to `{message}`; only unexpected errors are 500 (and logged). */
export function errorResponse(err: unknown, logger: Logger): Response {
  if (err instanceof PlcError) return message(err.status, err.message);
  logger.error("plc request failed", { err: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return message(500, "Internal Server Error");
}
