// net.openfederation.server.getConfig (06 §9): the safe part of the configuration plus live stats. Built from the
// typed Config only (never from Secrets), and every URL shown loses any userinfo it carries.
import type { Config } from "../config/types.ts";
import type { NetOpenfederationServerGetConfig } from "../lexicon-types/index.ts";
import { serverStats, type StatsSources } from "./server-stats.ts";

export type ServerConfigView = NetOpenfederationServerGetConfig.OutputSchema;

export interface ServerConfigDeps extends StatsSources {
  config: Config;
}

/** A URL without `user:password@` (an operator may put credentials in a relay or directory URL). */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = "";
    u.password = "";
    return u.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
  } catch {
    // not parseable: show nothing that could be a credential
    return url.replace(/\/\/[^/@]*@/, "//");
  }
}

/** Milliseconds as the setting's own `<int>[smhd]` form, in the largest unit that divides it. */
export function durationSetting(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms / 1000)}s`;
}

export class ServerConfigService {
  constructor(private readonly deps: ServerConfigDeps) {}

  /** `jsonBodyBytes`: the JSON request-body cap (00 §9), owned by the XRPC layer, which passes it in. */
  async view(jsonBodyBytes: number): Promise<ServerConfigView> {
    const c = this.deps.config;
    return {
      service: "ofpds",
      version: c.version,
      hostname: c.hostname,
      serviceDid: c.serviceDid,
      serviceUrl: withoutCredentials(c.serviceUrl),
      handleDomain: c.handleDomain,
      environment: c.env,
      inviteRequired: c.inviteRequired,
      approvalRequired: c.approvalRequired,
      partnerApiEnabled: c.partnerApiEnabled,
      remoteMembersEnabled: c.remoteMembersEnabled,
      plcUrl: withoutCredentials(c.plcUrl),
      crawlers: c.crawlers.map(withoutCredentials),
      limits: {
        jsonBodyBytes,
        blobMaxBytes: c.blobMaxBytes,
        importMaxBytes: c.importMaxBytes,
        accessTokenTtl: durationSetting(c.accessTokenTtlMs),
        refreshTokenTtl: durationSetting(c.refreshTokenTtlMs),
        firehoseBackfillHours: c.firehoseBackfillHours,
        takedownExportGraceDays: c.takedownExportGraceDays,
      },
      rateLimits: { global: c.rateLimits.global, auth: c.rateLimits.auth, registration: c.rateLimits.registration, create: c.rateLimits.create, discovery: c.rateLimits.discovery, proxy: c.rateLimits.proxy },
      // AppView, chat and report services (10 §9): URL (without userinfo) and DID of each configured one
      services: {
        ...(c.proxy.appView ? { appView: { url: withoutCredentials(c.proxy.appView.url), did: c.proxy.appView.did } } : {}),
        ...(c.proxy.chat ? { chat: { url: withoutCredentials(c.proxy.chat.url), did: c.proxy.chat.did } } : {}),
        ...(c.proxy.reportService ? { reportService: { url: withoutCredentials(c.proxy.reportService.url), did: c.proxy.reportService.did } } : {}),
      },
      proxyAudFragment: c.proxy.audFragment,
      // SMTP_URL, or --dev's .eml files (10 §5.1); never the URL itself
      mailerConfigured: c.mail.mode !== "none",
      stats: await serverStats(this.deps),
    };
  }
}
