// HTTP routes of the authorization server (11 §2, §5, §6, §9.1): discovery, PAR, the page, token, revoke, JWKS.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import { DomainError } from "../errors.ts";
import { httpStatusOf } from "./errors.ts";
import { OAuthError, invalidRequest } from "../oauth/errors.ts";
import { consentPage, errorPage, signInPage, STYLE_CSS, STYLE_PATH } from "../oauth/page.ts";
import type { StoredRequest } from "../oauth/requests.ts";

const MAX_BODY = 64 * 1024;
const EXPIRED = "This sign-in link has expired; return to the app and try again";

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

/** Form-encoded (or JSON) parameters; every value a string. */
async function readParams(req: Request): Promise<Record<string, string>> {
  const text = await req.text();
  if (text.length > MAX_BODY) throw invalidRequest("Request body too large");
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw invalidRequest("Invalid JSON body");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalidRequest("Invalid JSON body");
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== "string") throw invalidRequest(`Invalid "${k}" parameter`);
      out[k] = v;
    }
    return out;
  }
  if (type !== "application/x-www-form-urlencoded") throw invalidRequest("Unsupported content type");
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    if (k in out) throw invalidRequest(`Duplicate "${k}" parameter`);
    out[k] = v;
  }
  return out;
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

/** What the app's pipeline lends these routes: the client IP it computed, and its one request log line. */
export interface PipelineHooks {
  ipOf(req: Request): string;
  /** logs the request once (09 §5) and returns the response */
  done(req: Request, res: Response): Response;
  /** counts the request against a per-IP limiter; throws RateLimitExceeded */
  limit(bucket: "auth", req: Request): Promise<void>;
}

export function oauthRoutes(ctx: AppContext, hooks: PipelineHooks) {
  const ipOf = hooks.ipOf;
  // the parent's onAfterResponse does not reach a plugin's routes, so each handler logs through the pipeline
  const logged = <C extends { request: Request; set: { headers: Record<string, unknown> } }>(fn: (c: C) => Response | Promise<Response>) => async (c: C): Promise<Response> => hooks.done(c.request, await fn(c));
  const oauth = () => ctx.services.oauth;
  const { logger } = ctx;
  const secureCookie = new URL(ctx.config.serviceUrl).protocol === "https:";
  const deviceCookie = secureCookie ? "__Host-ofpds-device" : "ofpds-device";

  /** AS endpoints answer OAuth JSON errors; anything else is logged and a generic server_error. */
  const asError = (err: unknown): Response => {
    if (err instanceof OAuthError) return json(err.status, { error: err.error, error_description: err.description }, err.headers);
    if (err instanceof DomainError) return json(httpStatusOf(err), { error: "invalid_request", error_description: err.message });
    logger.error("oauth endpoint failed", { err: String(err) });
    return json(500, { error: "server_error", error_description: "An internal error occurred" });
  };

  const metadata = () => {
    const i = oauth().issuer;
    return {
      issuer: i,
      authorization_endpoint: `${i}/oauth/authorize`, token_endpoint: `${i}/oauth/token`, pushed_authorization_request_endpoint: `${i}/oauth/par`,
      revocation_endpoint: `${i}/oauth/revoke`, jwks_uri: `${i}/oauth/jwks`,
      require_pushed_authorization_requests: true, authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true, require_request_uri_registration: true,
      response_types_supported: ["code"], response_modes_supported: ["query", "fragment"],
      grant_types_supported: ["authorization_code", "refresh_token"], code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["none"], token_endpoint_auth_signing_alg_values_supported: ["ES256"],
      dpop_signing_alg_values_supported: ["ES256"],
      // interim (docs/oauth.md): only the two scopes this slice grants are announced
      scopes_supported: ["atproto", "transition:generic"],
      subject_types_supported: ["public"], prompt_values_supported: ["none", "login", "consent"], ui_locales_supported: ["en"],
      protected_resources: [i],
    };
  };

  const csrfFor = (device: string, requestId: string) => createHmac("sha256", oauth().keys.csrfKey).update(`${device}\u0000${requestId}`).digest("base64url");
  const csrfValid = (device: string, requestId: string, given: string | undefined) => {
    if (!given) return false;
    const want = Buffer.from(csrfFor(device, requestId));
    const got = Buffer.from(given);
    return want.length === got.length && timingSafeEqual(want, got);
  };

  /** An HTML page with the page CSP (form-action names the redirect target: browsers apply it after the POST). */
  const page = (set: { headers: Record<string, unknown> }, status: number, html: string, redirectUri?: string, extra: Record<string, string> = {}): Response => {
    const target = redirectUri ? ` ${new URL(redirectUri).origin}` : "";
    const headers: Record<string, string> = {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": `default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'${target}; frame-ancestors 'none'; base-uri 'none'`,
      "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", ...extra,
    };
    Object.assign(set.headers, headers);
    return new Response(html, { status, headers });
  };
  const seeOther = (set: { headers: Record<string, unknown> }, location: string): Response => {
    const headers = { Location: location, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" };
    Object.assign(set.headers, headers);
    return new Response(null, { status: 303, headers });
  };

  const clientLabel = (req: StoredRequest) => (req.clientId.startsWith("http://localhost") ? "Development client on this device" : new URL(req.clientId).hostname);
  const formAction = (req: StoredRequest) => `/oauth/authorize?${new URLSearchParams({ client_id: req.clientId, request_uri: `urn:ietf:params:oauth:request_uri:${req.id}` })}`;
  const signIn = (set: { headers: Record<string, unknown> }, req: StoredRequest, device: string, status: number, error?: string, identifier?: string, extra?: Record<string, string>) =>
    page(set, status, signInPage({ action: formAction(req), csrf: csrfFor(device, req.id), clientLabel: clientLabel(req), clientId: req.clientId, ...(req.params.login_hint ? { hint: req.params.login_hint } : {}), ...(identifier ? { identifier } : {}), ...(error ? { error } : {}) }), req.params.redirect_uri, extra);

  const loadRequest = async (url: URL): Promise<StoredRequest | "missing" | undefined> => {
    const requestUri = url.searchParams.get("request_uri");
    if (!requestUri) return "missing";
    return oauth().requests.find(requestUri, url.searchParams.get("client_id") ?? "");
  };

  return new Elysia()
    .get("/.well-known/oauth-protected-resource", logged(() => json(200, { resource: oauth().issuer, authorization_servers: [oauth().issuer], scopes_supported: [], bearer_methods_supported: ["header"], resource_documentation: "https://atproto.com" }, { "Cache-Control": "max-age=60" })))
    .get("/.well-known/oauth-authorization-server", logged(() => json(200, metadata(), { "Cache-Control": "max-age=60" })))
    .get("/oauth/jwks", logged(() => json(200, { keys: [oauth().keys.publicJwk] }, { "Cache-Control": "max-age=60" })))
    .get(STYLE_PATH, logged(() => new Response(STYLE_CSS, { headers: { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "max-age=3600" } })))
    .post("/oauth/par", logged(async ({ request }) => {
      try {
        const jkt = await oauth().dpop.verify(request.headers.get("dpop"), { method: "POST", path: "/oauth/par", resource: false });
        return json(201, await oauth().requests.push(await readParams(request), jkt), { "Cache-Control": "no-store" });
      } catch (err) {
        return asError(err);
      }
    }), { parse: "none" })
    .post("/oauth/token", logged(async ({ request }) => {
      try {
        const jkt = await oauth().dpop.verify(request.headers.get("dpop"), { method: "POST", path: "/oauth/token", resource: false });
        return json(200, await oauth().tokens.grant(await readParams(request), jkt, ipOf(request)), { "Cache-Control": "no-store" });
      } catch (err) {
        return asError(err);
      }
    }), { parse: "none" })
    .post("/oauth/revoke", logged(async ({ request }) => {
      try {
        // DPoP is optional on revocation, but checked when present (11 §4)
        if (request.headers.has("dpop")) await oauth().dpop.verify(request.headers.get("dpop"), { method: "POST", path: "/oauth/revoke", resource: false });
        await oauth().tokens.revoke(await readParams(request), ipOf(request));
        return json(200, {}, { "Cache-Control": "no-store" });
      } catch (err) {
        return asError(err);
      }
    }), { parse: "none" })
    .get("/oauth/authorize", logged(async ({ request, set }) => {
      const req = await loadRequest(new URL(request.url));
      if (req === "missing") return page(set, 400, errorPage("Sign-in failed", "Pushed authorization request required"));
      if (!req) return page(set, 400, errorPage("Sign-in failed", EXPIRED));
      await oauth().requests.touch(req.id);
      // no device sessions yet (docs/oauth.md): nobody is signed in on this device, so prompt=none cannot succeed
      if (req.params.prompt === "none") return seeOther(set, await oauth().requests.refuseSilently(req, "login_required"));
      let device = cookieValue(request, deviceCookie);
      const extra: Record<string, string> = {};
      if (!device || !/^[A-Za-z0-9_-]{43}$/.test(device)) {
        device = randomBytes(32).toString("base64url");
        extra["Set-Cookie"] = `${deviceCookie}=${device}; Path=/; HttpOnly; SameSite=Lax${secureCookie ? "; Secure" : ""}`;
      }
      return signIn(set, req, device, 200, undefined, undefined, extra);
    }))
    .post("/oauth/authorize", logged(async ({ request, set }) => {
      const req = await loadRequest(new URL(request.url));
      if (req === "missing") return page(set, 400, errorPage("Sign-in failed", "Pushed authorization request required"));
      if (!req) return page(set, 400, errorPage("Sign-in failed", EXPIRED));
      const forbiddenPage = () => page(set, 403, errorPage("Request refused", "This form could not be verified; return to the app and try again"));
      const site = request.headers.get("sec-fetch-site");
      const origin = request.headers.get("origin");
      // Why Sec-Fetch-Site first: with Referrer-Policy no-referrer, browsers send `Origin: null` on our own form posts
      if (site !== null ? site !== "same-origin" : origin !== null && origin !== oauth().issuer) return forbiddenPage();
      let form: Record<string, string>;
      try {
        form = await readParams(request);
      } catch {
        return forbiddenPage();
      }
      const device = cookieValue(request, deviceCookie);
      if (!device || !csrfValid(device, req.id, form.csrf)) return forbiddenPage();
      await oauth().requests.touch(req.id);
      const ip = ipOf(request);
      if (form.step === "signin") {
        const identifier = req.params.login_hint ?? form.identifier ?? "";
        try {
          // 11 §10: the sign-in POST uses the `auth` limiter as createSession does, plus the account lockout
          await hooks.limit("auth", request);
          const row = await oauth().login.verifyForOAuth({ identifier, password: form.password ?? "" }, ip);
          const hint = req.params.login_hint;
          const handle = oauth().handleOf(row);
          if (hint && hint !== row.did && hint.toLowerCase() !== handle.toLowerCase()) return signIn(set, req, device, 403, `Sign in as ${hint} to continue`, identifier);
          await oauth().requests.signedIn(req.id, device, row);
          return page(set, 200, consentPage({
            action: formAction(req), csrf: csrfFor(device, req.id), clientLabel: clientLabel(req), clientId: req.clientId,
            handle, did: row.did, redirectHost: new URL(req.params.redirect_uri).host, scopes: req.params.scope.split(" "),
          }), req.params.redirect_uri);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          const message = err.error === "AccountNotApproved" ? "This account is awaiting approval" : err.message;
          return signIn(set, req, device, httpStatusOf(err), message, identifier);
        }
      }
      if (form.step === "allow" || form.step === "deny") {
        // the consent must come from the device that signed in for this very request
        if (!req.did || req.deviceId !== device) return forbiddenPage();
        const location = form.step === "allow" ? await oauth().requests.allow(req, ip) : await oauth().requests.deny(req, ip);
        return seeOther(set, location);
      }
      return forbiddenPage();
    }), { parse: "none" });
}
