// POST /:did: body limits and parsing (§3 step 1), then the write path; 200 "OK" as text/plain.
import { PlcError } from "../ops/errors.ts";
import type { PlcHttpContext } from "./context.ts";
import { pathDid, POSTABLE_DID_RE } from "./did-param.ts";
import { TEXT_TYPE } from "./respond.ts";

export const MAX_BODY_BYTES = 100_000;

const tooLarge = () => new PlcError(413, `Request body too large (max ${MAX_BODY_BYTES} bytes)`, "body");

/** Read at most MAX_BODY_BYTES, aborting early instead of buffering an oversized upload. */
async function readCappedBody(request: Request): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function postOperation(ctx: PlcHttpContext, request: Request): Promise<Response> {
  const bytes = await readCappedBody(request);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new PlcError(400, "Request body is not valid JSON", "body");
  }
  const { raw, did } = pathDid(request.url);
  if (did === null || !POSTABLE_DID_RE.test(did)) throw new PlcError(400, `Invalid DID: ${did ?? raw}`, "body");
  const info = ctx.requestInfo.get(request);
  await ctx.writer.submit(did, body, {
    mode: "post",
    clock: Date.now(),
    // §3 step 9 comes after the op's own validation (first failure wins); the request was already
    // counted against the IP's budget on arrival.
    beforeWrite: () => {
      if (info?.postOverLimit) throw new PlcError(429, "Too many requests, please slow down", "ip_rate_limit");
    },
  });
  return new Response("OK", { status: 200, headers: { "Content-Type": TEXT_TYPE } });
}
