// GET /: a plain-text banner naming the server, its version and where the docs are.
import type { Config } from "../config/types.ts";

export const DOCS_URL = "https://github.com/openfederation/ofpds#readme";

export function bannerResponse(config: Config): Response {
  const text = [
    `ofpds ${config.version}`,
    "OpenFederation Personal Data Server (AT Protocol)",
    "",
    `This is an AT Protocol PDS. Most API routes are under /xrpc/.`,
    `Docs: ${DOCS_URL}`,
    "",
  ].join("\n");
  return new Response(text, { status: 200, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
