// Test support for the OAuth suites: DPoP keys and proofs, a raw OAuth client (PAR, the page over HTTP, token), PKCE.
import { createHash, randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import type { Env } from "../account/_support.ts";

export const SCOPE = "atproto transition:generic";
export const REDIRECT = "http://127.0.0.1/callback";
export const loopbackClientId = (redirect = REDIRECT, scope = SCOPE) => `http://localhost?${new URLSearchParams({ redirect_uri: redirect, scope })}`;
export const issuerOf = (e: Env) => `http://localhost:${e.pds.port}`;

export const b64sha = (s: string) => createHash("sha256").update(s).digest("base64url");
export const pkce = () => {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: b64sha(verifier) };
};

/** How far the tests moved the server's --dev clock: proofs are dated by the server's time, as a client learns it. */
const clock = { offsetMs: 0 };
export function advance(e: Env, ms: number): void {
  e.pds.advanceClock(ms);
  clock.offsetMs += ms;
}
export const serverNowS = () => Math.floor((Date.now() + clock.offsetMs) / 1000);

export interface ProofOpts { nonce?: string; ath?: string; jti?: string; iat?: number; htu?: string }

/** A DPoP key with its own nonce memory, as a client library keeps one. */
export class Dpop {
  nonce: string | undefined;
  private constructor(readonly privateKey: CryptoKey, readonly jwk: JWK) {}
  static async create(): Promise<Dpop> {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    return new Dpop(privateKey, await exportJWK(publicKey));
  }
  proof(htm: string, htu: string, o: ProofOpts = {}): Promise<string> {
    const nonce = o.nonce ?? this.nonce;
    return new SignJWT({ jti: o.jti ?? randomBytes(12).toString("base64url"), htm, htu: o.htu ?? htu, iat: o.iat ?? serverNowS(), ...(nonce ? { nonce } : {}), ...(o.ath ? { ath: o.ath } : {}) })
      .setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk: this.jwk })
      .sign(this.privateKey);
  }
}

export interface Answer { status: number; body: any; headers: Headers }

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: res.status, body, headers: res.headers };
}

/** POSTs a form to an AS endpoint with a fresh proof; retries once on use_dpop_nonce (as clients do), unless `raw`. */
export async function asPost(e: Env, path: string, form: Record<string, string>, dpop: Dpop | null, o: ProofOpts & { raw?: boolean; header?: string } = {}): Promise<Answer> {
  const send = async () => {
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (o.header !== undefined) headers.dpop = o.header;
    else if (dpop) headers.dpop = await dpop.proof("POST", issuerOf(e) + path, o);
    return answer(await fetch(e.url + path, { method: "POST", headers, body: new URLSearchParams(form).toString() }));
  };
  let r = await send();
  if (dpop) dpop.nonce = r.headers.get("dpop-nonce") ?? dpop.nonce;
  if (!o.raw && r.status === 400 && r.body?.error === "use_dpop_nonce") r = await send();
  if (dpop) dpop.nonce = r.headers.get("dpop-nonce") ?? dpop.nonce;
  return r;
}

/** An XRPC call with `Authorization: DPoP` and a proof carrying `ath`; retries once on use_dpop_nonce unless `raw`. */
export async function xrpcDpop(e: Env, nsid: string, token: string, dpop: Dpop | null, o: ProofOpts & { body?: unknown; raw?: boolean; scheme?: string } = {}): Promise<Answer> {
  const method = o.body === undefined ? "GET" : "POST";
  const send = async () => {
    const headers: Record<string, string> = { authorization: `${o.scheme ?? "DPoP"} ${token}` };
    if (o.body !== undefined) headers["content-type"] = "application/json";
    if (dpop) headers.dpop = await dpop.proof(method, `${issuerOf(e)}/xrpc/${nsid}`, { ath: b64sha(token), ...o });
    return answer(await fetch(`${e.url}/xrpc/${nsid}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) }));
  };
  let r = await send();
  if (dpop) dpop.nonce = r.headers.get("dpop-nonce") ?? dpop.nonce;
  if (!o.raw && r.status === 401 && r.body?.error === "use_dpop_nonce") r = await send();
  if (dpop) dpop.nonce = r.headers.get("dpop-nonce") ?? dpop.nonce;
  return r;
}

/** A PAR with the loopback client and valid defaults; `over` replaces or (with undefined) removes parameters. */
export async function par(e: Env, dpop: Dpop, over: Record<string, string | undefined> = {}, o: ProofOpts & { raw?: boolean; header?: string } = {}) {
  const p = pkce();
  const form: Record<string, string> = {};
  const all: Record<string, string | undefined> = { client_id: loopbackClientId(), response_type: "code", redirect_uri: REDIRECT, scope: SCOPE, state: "st-" + randomBytes(6).toString("hex"), code_challenge: p.challenge, code_challenge_method: "S256", ...over };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) form[k] = v;
  return { res: await asPost(e, "/oauth/par", form, dpop, o), verifier: p.verifier, form };
}

const cookieOf = (h: Headers) => (h.get("set-cookie") ?? "").split(";")[0]!;
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

/** The page over plain HTTP (no JavaScript needed): GET, sign in, then `step` (allow/deny). Returns the final answer. */
export async function pageFlow(e: Env, clientId: string, requestUri: string, login: { identifier?: string; password: string }, step: "allow" | "deny" | null = "allow") {
  const url = `${e.url}/oauth/authorize?${new URLSearchParams({ client_id: clientId, request_uri: requestUri })}`;
  const get = await fetch(url);
  const cookie = cookieOf(get.headers);
  const html = await get.text();
  const post = (form: Record<string, string>) => fetch(url, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: issuerOf(e), "sec-fetch-site": "same-origin" }, body: new URLSearchParams(form).toString() });
  const signed = await post({ csrf: csrfOf(html), step: "signin", ...(login.identifier ? { identifier: login.identifier } : {}), password: login.password });
  const consent = await signed.text();
  if (step === null || signed.status !== 200) return { getStatus: get.status, html, signed: { status: signed.status, html: consent }, cookie, url, csrf: csrfOf(html) };
  const done = await post({ csrf: csrfOf(consent), step });
  return { getStatus: get.status, html, signed: { status: signed.status, html: consent }, final: done, location: done.headers.get("location"), cookie, url, csrf: csrfOf(html) };
}

/** The whole raw flow to tokens: PAR → page → code → token. */
export async function authorizeRaw(e: Env, user: { name: string; password?: string }, o: { scope?: string } = {}) {
  const dpop = await Dpop.create();
  const clientId = loopbackClientId(REDIRECT, o.scope ?? SCOPE);
  const { res, verifier } = await par(e, dpop, { client_id: clientId, ...(o.scope ? { scope: o.scope } : {}) });
  if (res.status !== 201) throw new Error(`PAR failed: ${JSON.stringify(res.body)}`);
  const flow = await pageFlow(e, clientId, res.body.request_uri, { identifier: user.name, password: user.password ?? "Correct-horse-9" });
  const code = new URL(flow.location!).searchParams.get("code")!;
  const token = await asPost(e, "/oauth/token", { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: clientId }, dpop);
  if (token.status !== 200) throw new Error(`token failed: ${JSON.stringify(token.body)}`);
  return { dpop, clientId, code, verifier, tokens: token.body as { access_token: string; refresh_token: string; scope: string; sub: string; token_type: string; expires_in: number } };
}
