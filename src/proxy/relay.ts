// Relaying the upstream answer (10 §1.4-§1.5): 2xx streamed unchanged with the listed headers, under a size cap and
// a body idle timeout; ≥ 400 reduced to `{error, message}`; every failure before the headers is one 502.
import { upstreamFailure } from "../errors.ts";

/** Response headers copied from a 2xx answer (§1.4). */
const RESPONSE_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "atproto-content-labelers", "atproto-repo-rev", "retry-after"];
const ERROR_BODY_CAP = 64 * 1024;

const STANDARD_NAME: Record<number, string> = {
  400: "InvalidRequest", 401: "AuthRequired", 403: "Forbidden", 404: "NotFound", 413: "PayloadTooLarge",
  429: "RateLimitExceeded", 501: "MethodNotImplemented", 502: "UpstreamFailure", 503: "ServiceUnavailable", 504: "UpstreamTimeout",
};

export const unreachable = () => upstreamFailure("Upstream service unreachable");

export interface RelayLimits {
  bodyIdleMs: number;
  maxResponseBytes: number;
}

/**
 * The client-facing Response for an upstream answer. `abort` cuts the upstream connection; `onStreamError` is told
 * why a 2xx stream was cut (logged, never sent: the client sees its connection end early).
 */
export async function relayResponse(res: Response, limits: RelayLimits, abort: () => void, onStreamError: (reason: string) => void): Promise<Response> {
  if (res.status >= 400) return errorAnswer(res, limits, abort);
  const declared = Number(res.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limits.maxResponseBytes) {
    abort();
    onStreamError("content-length over the response limit");
    throw upstreamFailure("Upstream response too large");
  }
  const headers = new Headers();
  for (const name of RESPONSE_HEADERS) {
    const v = res.headers.get(name);
    if (v !== null) headers.set(name, v);
  }
  return new Response(res.body ? limitedStream(res.body, limits, abort, onStreamError) : null, { status: res.status, headers });
}

/**
 * Passes chunks through as they arrive (never buffered), counting bytes. Over the cap, or with no chunk for
 * `bodyIdleMs`, the upstream is aborted and the client stream errors, so the server closes the client connection
 * instead of ending a truncated body as if it were complete.
 */
function limitedStream(body: ReadableStream<Uint8Array>, limits: RelayLimits, abort: () => void, onStreamError: (reason: string) => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let total = 0;
  const fail = (c: ReadableStreamDefaultController<Uint8Array>, reason: string) => {
    onStreamError(reason);
    abort();
    reader.cancel().catch(() => {});
    c.error(new Error(reason));
  };
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      let idle = false;
      const timer = setTimeout(() => {
        idle = true;
        abort();
      }, limits.bodyIdleMs);
      try {
        const { done, value } = await reader.read();
        if (done) return c.close();
        total += value.byteLength;
        if (total > limits.maxResponseBytes) return fail(c, "response over the size limit");
        c.enqueue(value);
      } catch {
        fail(c, idle ? "body idle timeout" : "upstream stream failed");
      } finally {
        clearTimeout(timer);
      }
    },
    cancel() {
      // the client went away: stop reading from the upstream too
      abort();
      reader.cancel().catch(() => {});
    },
  });
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > ERROR_BODY_CAP) {
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** §1.4: status kept (500 → 502 UpstreamFailure); `{error, message}` from the upstream JSON, other fields dropped. */
async function errorAnswer(res: Response, limits: RelayLimits, abort: () => void): Promise<Response> {
  const status = res.status === 500 ? 502 : res.status;
  let text = "";
  // an error body that stalls is cut after the idle limit: the answer is then the standard name and message
  const timer = setTimeout(abort, limits.bodyIdleMs);
  try {
    text = await readCapped(res);
  } catch {
    abort();
    text = "";
  } finally {
    clearTimeout(timer);
  }
  let error = STANDARD_NAME[status] ?? (status >= 500 ? "UpstreamFailure" : "InvalidRequest");
  let message = `Upstream service returned ${res.status}`;
  if (res.status !== 500) {
    try {
      const body = JSON.parse(text) as { error?: unknown; message?: unknown };
      if (body && typeof body.error === "string" && body.error) {
        error = body.error;
        if (typeof body.message === "string") message = body.message;
      }
    } catch {
      // not JSON: the standard name and message
    }
  }
  const headers: Record<string, string> = { "Content-Type": "application/json; charset=utf-8" };
  const retryAfter = res.headers.get("retry-after");
  if (retryAfter !== null) headers["Retry-After"] = retryAfter;
  return new Response(JSON.stringify({ error, message }), { status, headers });
}
