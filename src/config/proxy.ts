// The service-proxying settings (10 §1, §9): AppView, chat and report service (URL and DID, both or neither), the
// JWT aud rule and the --dev-only limit override the proxy tests use (PROXY_RATE_LIMIT is read with the limiters).
import type { ProxyConfig, ProxyServiceConfig } from "./types.ts";

/** The slice of build.ts's Reader this stage uses. */
interface SettingReader {
  readonly problems: string[];
  str(name: string): string | undefined;
  bool(name: string, fallback: boolean): boolean;
  int(name: string, fallback: number, min: number, max: number): number;
}

/** 10 §1.5: headers within 10 s, body idle 30 s, response ≤ 10 MiB. */
export const PROXY_LIMITS = { headersTimeoutMs: 10_000, bodyIdleMs: 30_000, maxResponseBytes: 10 * 1024 * 1024 } as const;

const DID_RE = /^did:(plc:[a-z2-7]{24}|web:[A-Za-z0-9._:%-]+)$/;

function service(r: SettingReader, prefix: string, production: boolean): ProxyServiceConfig | undefined {
  const urlName = `${prefix}_URL`;
  const didName = `${prefix}_DID`;
  const url = r.str(urlName);
  const did = r.str(didName);
  if (url === undefined && did === undefined) return undefined;
  if (url === undefined || did === undefined) {
    r.problems.push(`${url === undefined ? urlName : didName} is missing: ${urlName} and ${didName} are set together`);
    return undefined;
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    r.problems.push(`${urlName} is not a valid URL (got "${url}")`);
  }
  if (parsed && parsed.protocol !== "https:" && (production || parsed.protocol !== "http:")) {
    r.problems.push(`${urlName} must use https${production ? "" : " (or http outside production)"} (got "${url}")`);
  }
  if (!DID_RE.test(did)) r.problems.push(`${didName} must be a did:plc or did:web (got "${did}")`);
  return parsed ? { url: parsed.origin, did } : undefined;
}

/** OFPDS_DEV_PROXY_LIMITS=`headersMs=300,idleMs=300,maxBytes=1024` (any subset), honoured only with --dev. */
function devLimits(r: SettingReader, dev: boolean): ProxyConfig["limits"] {
  const limits: { headersTimeoutMs: number; bodyIdleMs: number; maxResponseBytes: number } = { ...PROXY_LIMITS };
  const v = dev ? r.str("OFPDS_DEV_PROXY_LIMITS") : undefined;
  if (!v) return limits;
  const keys = { headersMs: "headersTimeoutMs", idleMs: "bodyIdleMs", maxBytes: "maxResponseBytes" } as const;
  for (const part of v.split(",")) {
    const m = /^\s*(headersMs|idleMs|maxBytes)=(\d+)\s*$/.exec(part);
    if (!m || Number(m[2]) < 1) {
      r.problems.push(`OFPDS_DEV_PROXY_LIMITS must be a list of headersMs=<n>, idleMs=<n>, maxBytes=<n> (got "${v}")`);
      return { ...PROXY_LIMITS };
    }
    limits[keys[m[1] as keyof typeof keys]] = Number(m[2]);
  }
  return limits;
}

export function proxyConfig(r: SettingReader, dev: boolean, production: boolean): ProxyConfig {
  return {
    appView: service(r, "BSKY_APP_VIEW", production),
    chat: service(r, "BSKY_CHAT", production),
    reportService: service(r, "REPORT_SERVICE", production),
    audFragment: r.bool("PROXY_AUD_FRAGMENT", false),
    limits: devLimits(r, dev),
  };
}
