// Doctor checks that talk to the network (skipped by --offline): the public URL, did.json, a handle, the firehose,
// the PLC directory and its clock, crawlers, the mailer, the proxied services and the OAuth metadata.
// Why plain fetch and not services.fetchPolicy: every target here is the operator's own configuration (like
// CRAWLERS), never user input, and the public URL is often loopback or private on purpose.
import { connect as tlsConnect } from "node:tls";
import { connect as netConnect } from "node:net";
import type { Config } from "../../config/types.ts";
import { metaValue, type DataSetLook } from "../data-set.ts";
import { CRAWLER_NOTIFIED_META_KEY } from "../markers.ts";
import { fail, ok, warn, type CheckResult } from "./types.ts";
import { smtpDefaultPort } from "../../config/mail.ts";

const TIMEOUT_MS = 5_000;
const MAX_SKEW_MS = 30_000;
const CERT_WARN_DAYS = 14;
const CRAWL_MAX_AGE_MS = 24 * 3600_000;

const why = (err: unknown) => (err instanceof Error ? (err.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS} ms` : err.message) : String(err));

async function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { headers, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
}

export async function healthCheck(config: Config): Promise<CheckResult[]> {
  const url = `${config.serviceUrl}/xrpc/_health`;
  const out: CheckResult[] = [];
  try {
    const res = await get(url);
    const body = (await res.json().catch(() => ({}))) as { version?: string };
    out.push(res.status === 200 ? ok("health", `${url} answers (version ${body.version ?? "?"})`) : fail("health", `${url} answered ${res.status}`, "check the server log"));
  } catch (err) {
    out.push(fail("health", `${url} is unreachable: ${why(err)}`, "start the server (`ofpds serve`) and check PDS_SERVICE_URL and the reverse proxy"));
  }
  if (config.serviceUrl.startsWith("https:")) out.push(await certificateCheck(new URL(config.serviceUrl)));
  return out;
}

/** The certificate the public URL presents: valid now and for CERT_WARN_DAYS more. */
function certificateCheck(url: URL): Promise<CheckResult> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: url.hostname, port: Number(url.port || 443), servername: url.hostname, timeout: TIMEOUT_MS }, () => {
      const cert = socket.getPeerCertificate();
      const authorized = socket.authorized;
      socket.end();
      if (!authorized) return resolve(fail("tls", `the certificate of ${url.host} is not trusted: ${socket.authorizationError}`, "renew it or fix the reverse proxy's certificate chain"));
      const days = Math.floor((Date.parse(cert.valid_to) - Date.now()) / (24 * 3600_000));
      resolve(days < CERT_WARN_DAYS ? warn("tls", `the certificate of ${url.host} expires in ${days} days`, "renew it") : ok("tls", `certificate valid until ${cert.valid_to}`));
    });
    socket.on("error", (err) => resolve(fail("tls", `TLS to ${url.host} failed: ${err.message}`)));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(fail("tls", `TLS to ${url.host}: no answer within ${TIMEOUT_MS} ms`));
    });
  });
}

export async function didJsonCheck(config: Config): Promise<CheckResult> {
  const url = `${config.serviceUrl}/.well-known/did.json`;
  try {
    const res = await get(url);
    if (res.status !== 200) return fail("did-json", `${url} answered ${res.status}`);
    const doc = (await res.json()) as { id?: string; service?: Array<{ id?: string; serviceEndpoint?: string }> };
    const endpoint = doc.service?.find((s) => s.id === "#atproto_pds" || s.id?.endsWith("#atproto_pds"))?.serviceEndpoint;
    if (doc.id !== config.serviceDid) return fail("did-json", `${url} names ${doc.id}, the config says ${config.serviceDid}`, "a reverse proxy may be sending this hostname to another server");
    if (endpoint !== undefined && endpoint !== config.serviceUrl) return fail("did-json", `${url} names the endpoint ${endpoint}, the config says ${config.serviceUrl}`);
    return ok("did-json", `${url} matches ${config.serviceDid}`);
  } catch (err) {
    return fail("did-json", `${url} could not be read: ${why(err)}`);
  }
}

/** A local handle through HTTPS well-known (so the wildcard DNS and proxy route for *.<HANDLE_DOMAIN> work). */
export async function handleCheck(config: Config, db: DataSetLook | undefined): Promise<CheckResult> {
  let row: { did: string; name: string } | null = null;
  try {
    row = (await db?.raw.get<{ did: string; name: string }>("SELECT did, name FROM accounts WHERE status = 'approved' AND name IS NOT NULL AND external_handle IS NULL ORDER BY created_at LIMIT 1")) ?? null;
  } catch {
    row = null;
  }
  if (!row) return warn("handle", "no active local account to resolve a handle for");
  const handle = `${row.name}.${config.handleDomain}`;
  // --dev handles (.test) resolve nowhere: ask our own URL with the handle as Host, as a wildcard route would.
  const url = config.dev ? `${config.serviceUrl}/.well-known/atproto-did` : `https://${handle}/.well-known/atproto-did`;
  try {
    const res = await get(url, config.dev ? { host: handle } : {});
    const text = (await res.text()).trim();
    if (res.status === 200 && text === row.did) return ok("handle", `${handle} resolves to ${row.did}${config.dev ? " (dev: through the service URL)" : ""}`);
    return fail("handle", `https://${handle}/.well-known/atproto-did answered ${res.status}${res.status === 200 ? ` with ${text.slice(0, 80)}` : ""}`, `route *.${config.handleDomain} (wildcard DNS and the reverse proxy) to this server`);
  } catch (err) {
    return fail("handle", `${handle} does not resolve: ${why(err)}`, `add a wildcard DNS record *.${config.handleDomain} and route it to this server`);
  }
}

export function websocketCheck(config: Config): Promise<CheckResult> {
  const url = `${config.serviceUrl.replace(/^http/, "ws")}/xrpc/com.atproto.sync.subscribeRepos`;
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: CheckResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        ws.close();
      } catch {
        // already closed
      }
      resolve(r);
    };
    const ws = new WebSocket(url);
    const timer = setTimeout(() => finish(fail("websocket", `${url}: no upgrade within ${TIMEOUT_MS} ms`, "forward WebSocket upgrades in the reverse proxy")), TIMEOUT_MS);
    ws.onopen = () => finish(ok("websocket", `${url} upgrades`));
    ws.onerror = () => finish(fail("websocket", `${url}: the WebSocket upgrade failed`, "forward WebSocket upgrades (Upgrade/Connection headers) in the reverse proxy"));
  });
}

/** PLC_URL reachable, and its clock within 30 s of ours. */
export async function plcChecks(config: Config): Promise<CheckResult[]> {
  const url = `${config.plcUrl.replace(/\/+$/, "")}/_health`;
  let res: Response;
  const before = Date.now();
  try {
    res = await get(url);
    await res.body?.cancel().catch(() => {});
  } catch (err) {
    return [fail("plc", `the PLC directory ${config.plcUrl} is unreachable: ${why(err)}`, "check PLC_URL and the network; account creation and handle changes need it")];
  }
  const out: CheckResult[] = [res.status < 500 ? ok("plc", `${config.plcUrl} reachable (${res.status})`) : fail("plc", `${url} answered ${res.status}`)];
  const date = res.headers.get("date");
  if (!date) out.push(warn("clock", `${config.plcUrl} sent no Date header: clock skew not measured`));
  else {
    // the Date header has 1 s resolution; compare with the middle of the request
    const skew = Date.parse(date) - (before + Date.now()) / 2;
    const s = Math.round(skew / 1000);
    out.push(Math.abs(skew) > MAX_SKEW_MS ? fail("clock", `the clock is ${s} s off the PLC directory's`, "synchronise the system clock (NTP)") : ok("clock", `clock within ${Math.abs(s)} s of the PLC directory`));
  }
  return out;
}

export async function crawlerCheck(config: Config, db: DataSetLook | undefined, now: number): Promise<CheckResult> {
  if (config.crawlers.length === 0) return warn("crawlers", "CRAWLERS is empty: no relay is told about this server", "set CRAWLERS (e.g. https://bsky.network) in production");
  const at = db ? Date.parse((await metaValue(db.raw, CRAWLER_NOTIFIED_META_KEY)) ?? "") : NaN;
  if (Number.isNaN(at)) return warn("crawlers", "no successful requestCrawl recorded", `check that ${config.crawlers.join(", ")} can be reached`);
  if (now - at > CRAWL_MAX_AGE_MS) return warn("crawlers", `the last successful requestCrawl was ${new Date(at).toISOString()}`, "restart the server or check the crawler URLs");
  return ok("crawlers", `relays notified at ${new Date(at).toISOString()}`);
}

/** SMTP_URL's mailer accepts a TCP connection (fail otherwise); unset in production → warn. */
export async function mailerCheck(config: Config, smtpUrl: string | undefined): Promise<CheckResult> {
  if (!smtpUrl) return config.env === "production" ? warn("mailer", "SMTP_URL is unset: mail-sending methods answer 501", "set SMTP_URL and EMAIL_FROM") : ok("mailer", "no SMTP_URL (development: mail goes to <DATA_DIR>/mail)");
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    return fail("mailer", "SMTP_URL is not a URL");
  }
  const port = Number(url.port || smtpDefaultPort(url.protocol));
  return new Promise((resolve) => {
    const socket = netConnect({ host: url.hostname, port, timeout: TIMEOUT_MS }, () => {
      socket.end();
      resolve(ok("mailer", `${url.hostname}:${port} accepts connections`));
    });
    socket.on("error", (err) => resolve(fail("mailer", `the mailer ${url.hostname}:${port} is unreachable: ${err.message}`, "check SMTP_URL")));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(fail("mailer", `the mailer ${url.hostname}:${port}: no answer within ${TIMEOUT_MS} ms`));
    });
  });
}

/** Each configured proxy service (10 §9) answers HTTP at all (warn otherwise). */
export async function serviceUrlChecks(config: Config): Promise<CheckResult[]> {
  const services = [
    ["appview", config.proxy.appView],
    ["chat", config.proxy.chat],
    ["report-service", config.proxy.reportService],
  ] as const;
  const out: CheckResult[] = [];
  for (const [name, svc] of services) {
    if (!svc) continue;
    try {
      const res = await get(`${svc.url.replace(/\/+$/, "")}/xrpc/_health`);
      await res.body?.cancel().catch(() => {});
      out.push(ok(`service-${name}`, `${svc.url} answers (${res.status})`));
    } catch (err) {
      out.push(warn(`service-${name}`, `${svc.url} is unreachable: ${why(err)}`, "proxied calls to it will fail"));
    }
  }
  return out;
}

export async function oauthCheck(config: Config): Promise<CheckResult> {
  const url = `${config.serviceUrl}/.well-known/oauth-authorization-server`;
  const issuer = new URL(config.serviceUrl).origin;
  try {
    const res = await get(url);
    if (res.status === 404) {
      await res.body?.cancel().catch(() => {});
      return warn("oauth", `${url} answered 404`, "this version may not serve OAuth yet; otherwise check the reverse proxy's routes");
    }
    if (res.status !== 200) return fail("oauth", `${url} answered ${res.status}`);
    const meta = (await res.json()) as { issuer?: string };
    return meta.issuer === issuer ? ok("oauth", `issuer ${issuer}`) : fail("oauth", `${url} names the issuer ${meta.issuer}, expected ${issuer}`, "PDS_SERVICE_URL must be the public origin");
  } catch (err) {
    return fail("oauth", `${url} could not be read: ${why(err)}`);
  }
}
