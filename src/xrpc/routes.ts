// The route table: every XRPC method this server answers, joined from one part per domain (./routes/*.ts), each a
// screenful of one-line entries (handler, auth guard, rate-limit bucket). The method's verb, input and output
// come from its lexicon. Out-of-scope com.atproto.* methods (spec 00 §1) are simply absent → 404 MethodNotFound.
import type { RouteEntry } from "./types.ts";
import { ACCOUNT_ROUTES } from "./routes/accounts.ts";
import { ADMIN_ROUTES } from "./routes/admin.ts";
import { REPO_ROUTES } from "./routes/repo.ts";
import { COMMUNITY_ROUTES } from "./routes/community.ts";

/** Every route. The parts are grouped by domain; lookups are by NSID, so their order carries no meaning. */
export const ROUTES: RouteEntry[] = [...ACCOUNT_ROUTES, ...ADMIN_ROUTES, ...REPO_ROUTES, ...COMMUNITY_ROUTES];
