// Names no account or community may take under the handle domain (01 §4); operator paths may (bootstrap, init).
/** checked by nameProblem (src/account/rules.ts), which account creation, handle change and community create/import all use */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "admin", "administrator", "root", "system", "moderator", "mod", "null", "undefined", "api", "xrpc", "health",
  "status", "openfederation", "atproto", "bluesky", "support", "help", "official", "security", "staff", "team",
  "ops", "operations", "abuse", "contact", "info", "news", "legal", "privacy", "tos", "trust", "safety", "bot",
  "service", "noreply", "no-reply",
  // infrastructure
  "www", "plc", "pds", "ofpds", "mail", "localhost",
]);
