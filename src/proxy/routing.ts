// Which NSIDs are never proxied and where the others go without a header (10 §1.1 rules 2, 4, 5).
import type { ProxyConfig, ProxyServiceConfig } from "../config/types.ts";

const PROTECTED_PREFIXES = [
  "com.atproto.admin.", "com.atproto.server.", "com.atproto.repo.", "com.atproto.sync.", "com.atproto.temp.",
  "com.atproto.identity.", "net.openfederation.",
];
/** identity methods an AppView answers (default route), not protected */
const APPVIEW_IDENTITY = new Set(["com.atproto.identity.resolveDid", "com.atproto.identity.resolveIdentity", "com.atproto.identity.refreshIdentity"]);
export const CREATE_REPORT = "com.atproto.moderation.createReport";

/** Rule 2: never proxied, header or not (a superset of the reference PDS's protected list). */
export function isProtectedNsid(nsid: string): boolean {
  if (APPVIEW_IDENTITY.has(nsid)) return false;
  return PROTECTED_PREFIXES.some((p) => nsid.startsWith(p));
}

export interface DefaultRoute {
  serviceId: "bsky_appview" | "bsky_chat" | "atproto_labeler";
  /** the configured service, undefined when unset */
  service: ProxyServiceConfig | undefined;
  /** the 404 message when the service is unset */
  missing: string;
}

/** Rule 4 table: the service an NSID goes to without a header, or undefined for an NSID with no default route. */
export function defaultRoute(nsid: string, config: ProxyConfig): DefaultRoute | undefined {
  if (nsid.startsWith("app.bsky.") || APPVIEW_IDENTITY.has(nsid) || nsid === "com.atproto.label.queryLabels") {
    return { serviceId: "bsky_appview", service: config.appView, missing: "No AppView is configured on this server (BSKY_APP_VIEW_URL); send atproto-proxy to choose one" };
  }
  if (nsid.startsWith("chat.bsky.")) {
    return { serviceId: "bsky_chat", service: config.chat, missing: "No chat service is configured on this server (BSKY_CHAT_URL); send atproto-proxy to choose one" };
  }
  if (nsid === CREATE_REPORT) return { serviceId: "atproto_labeler", service: config.reportService, missing: "No report service is configured on this server" };
  return undefined;
}

/** §1.2 shortcuts: `<configured DID>#<its service id>` goes to the configured URL without resolution. */
export function configuredShortcut(did: string, serviceId: string, config: ProxyConfig): ProxyServiceConfig | undefined {
  const pairs: Array<[ProxyServiceConfig | undefined, string]> = [[config.appView, "bsky_appview"], [config.chat, "bsky_chat"], [config.reportService, "atproto_labeler"]];
  for (const [svc, id] of pairs) if (svc && svc.did === did && serviceId === id) return svc;
  return undefined;
}

const PREFERENCES = new Set(["app.bsky.actor.getPreferences", "app.bsky.actor.putPreferences"]);

/**
 * §1.6: the preference methods are served here (rule 1's exception) unless atproto-proxy names a service other than
 * `<BSKY_APP_VIEW_DID>#bsky_appview`; then they are proxied like any method.
 */
export function proxiesLocalMethod(nsid: string, header: string | null, config: ProxyConfig): boolean {
  if (header === null || !PREFERENCES.has(nsid)) return false;
  return !config.appView || header !== `${config.appView.did}#bsky_appview`;
}
