// The route table: every XRPC method this server answers, with its handler, auth guard and rate-limit bucket.
// One line per method so auth and limits can be audited on one screen. The method's verb, input and output
// come from its lexicon. Out-of-scope com.atproto.* methods (spec 00 §1) are simply absent → 404 MethodNotFound.
import { none, type RouteEntry } from "./types.ts";
import * as describeServer from "../api/com/atproto/server/describeServer.ts";

export const ROUTES: RouteEntry[] = [
  // nsid                                   handler                   auth   rateLimit
  { nsid: "com.atproto.server.describeServer", handler: describeServer.handler, auth: none },
];
