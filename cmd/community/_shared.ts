// Shared pieces of the community verbs: NSIDs, community/member argument resolution, typed-handle confirmation, binary downloads.
import { clientFrom } from "../_shared/client.ts";
import { outputFrom } from "../_shared/output.ts";
import { chmodSync, writeFileSync } from "node:fs";
import type { XrpcClient } from "../_shared/client.ts";
import { cliErrorFromResponse, secondsLeft } from "../_shared/client.ts";
import { CliError, EXIT, UsageError } from "../_shared/errors.ts";
import { canPrompt } from "../_shared/input.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

export const NS = "net.openfederation.community.";
/** The full NSID of a community method, typed as that literal so the client picks its lexicon types. */
export const nsid = <M extends string>(method: M) => `${NS}${method}` as const;

/** The view returned by community.get (04 §4), from its lexicon. */
export type CommunityView = Output<"net.openfederation.community.get">;

/** The flags of verbs that re-authenticate with the password (transfer, transfer-ownership). */
export const passwordArgs = {
  "password-file": { type: "string", description: "Read your password from this file (one trailing newline is ignored)" },
  "password-stdin": { type: "boolean", description: "Read your password from stdin" },
} as const;

/** The `--confirm <handle>` flag of severe verbs (takedown, delete, transfer). */
export const confirmArg = {
  confirm: { type: "string", description: "The community handle, typed to confirm without a prompt" },
} as const;

let domainCache: string | undefined;

/** The server's handle domain (with its leading dot) from describeServer, asked once per process. */
export async function handleDomain(client: XrpcClient): Promise<string> {
  if (domainCache !== undefined) return domainCache;
  const d = await client.query("com.atproto.server.describeServer", {}, "none");
  const first = d.availableUserDomains?.[0] ?? "";
  domainCache = first && !first.startsWith(".") ? `.${first}` : first;
  return domainCache;
}

/** A DID passes through; a full handle is lower-cased; a bare name gets `.<handle domain>`. */
export async function normalizeRef(client: XrpcClient, input: string): Promise<string> {
  const v = input.trim().replace(/^@/, "");
  if (!v) throw new UsageError("Missing the community: give its handle or DID");
  if (v.startsWith("did:")) return v;
  const lower = v.toLowerCase();
  return lower.includes(".") ? lower : lower + (await handleDomain(client));
}

/** A DID for an account argument (`<member>`, `--to`): DIDs pass through, handles go through resolveHandle. */
export async function accountDid(client: XrpcClient, input: string): Promise<string> {
  const ref = await normalizeRef(client, input);
  if (ref.startsWith("did:")) return ref;
  try {
    return (await client.query("com.atproto.identity.resolveHandle", { handle: ref }, "none")).did;
  } catch (err) {
    if (err instanceof CliError && err.exitCode === EXIT.usage) {
      throw new CliError(`No account ${ref} on ${client.server} (NotFound)\nCheck the handle, or pass the DID`, EXIT.notFound, "NotFound");
    }
    throw err;
  }
}

export function getCommunity(client: XrpcClient, ref: string): Promise<CommunityView> {
  return client.query(nsid("get"), { did: ref });
}

/** True when `typed` names the community: its full handle, its bare name, or its DID. */
function names(community: CommunityView, typed: string): boolean {
  const t = typed.trim().replace(/^@/, "").toLowerCase();
  return t === community.handle.toLowerCase() || t === community.did || t === community.handle.toLowerCase().split(".")[0];
}

/**
 * Confirmation for severe actions (08 §1): `--yes` skips it, `--confirm <handle>` must name the
 * community, otherwise the handle is typed at a prompt. Without a terminal and without either → exit 2.
 * Returns the community when it was looked up (every path but `--yes`).
 */
export async function confirmTyped(
  client: XrpcClient,
  ref: string,
  args: { yes?: boolean; confirm?: string; input?: boolean },
  action: string,
): Promise<CommunityView | undefined> {
  if (args.yes) return undefined;
  if (args.confirm === undefined && !canPrompt(args)) {
    throw new UsageError(`${action} ${ref} needs confirmation, and there is no terminal to ask on\nPass --confirm <handle> (or -y/--yes) to confirm`);
  }
  const community = await getCommunity(client, ref);
  if (args.confirm !== undefined) {
    if (!names(community, args.confirm)) throw new UsageError(`--confirm ${args.confirm} does not match the community ${community.handle}; nothing was changed\nPass --confirm ${community.handle}`);
    return community;
  }
  const p = await import("@clack/prompts");
  const typed = await p.text({ message: `${action} ${community.handle} (${community.did})? Type the handle to confirm`, placeholder: community.handle, output: process.stderr });
  if (p.isCancel(typed) || !names(community, String(typed ?? ""))) throw new CliError("The handle did not match; nothing was changed", EXIT.usage, "Cancelled");
  return community;
}

/**
 * Calls an XRPC method whose success body is binary (a CAR) and returns the bytes. The CLI client
 * parses JSON only, so this sends the request itself, with the saved session (`auth: "access"`,
 * refreshed when close to expiry or on ExpiredToken) or none (token-in-body methods).
 */
export async function download(client: XrpcClient, method: "GET" | "POST", id: string, opts: { params?: Record<string, string>; body?: unknown; auth: "access" | "none" }): Promise<Uint8Array> {
  const url = new URL(`${client.server}/xrpc/${id}`);
  for (const [k, v] of Object.entries(opts.params ?? {})) url.searchParams.set(k, v);
  const send = async (token?: string) => {
    const headers: Record<string, string> = { Accept: "application/vnd.ipld.car, application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    try {
      return await fetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: AbortSignal.timeout(client.timeoutMs), redirect: "error" });
    } catch (err) {
      const e = err as Error;
      if (e.name === "TimeoutError" || e.name === "AbortError") throw new CliError(`${client.server} did not answer ${id} within ${client.timeoutMs} ms (Timeout)\nRaise --timeout for large repositories`, EXIT.unreachable, "Timeout");
      throw new CliError(`Cannot reach ${client.server}: ${e.message} (Unreachable)\nCheck --server / OFPDS_SERVER, and that the server is running`, EXIT.unreachable, "Unreachable");
    }
  };
  let res: Response;
  if (opts.auth === "access") {
    let session = client.requireSession();
    const left = secondsLeft(session.accessJwt);
    if (left !== undefined && left < 60) session = await client.refresh(session);
    res = await send(session.accessJwt);
    if (res.status === 400 || res.status === 401) {
      const body = (await res.clone().json().catch(() => ({}))) as { error?: string };
      if (body.error === "ExpiredToken" || body.error === "InvalidToken") res = await send((await client.refresh(session)).accessJwt);
    }
  } else {
    res = await send();
  }
  if (!res.ok) {
    const body = await res.json().catch(() => undefined);
    throw cliErrorFromResponse(res.status, body, { nsid: id, server: client.server, retryAfter: res.headers.get("retry-after") });
  }
  return new Uint8Array(await res.arrayBuffer());
}

/** Writes a private file (0600) that may hold keys or repository data. */
export function writePrivate(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data, { mode: 0o600 });
    chmodSync(path, 0o600); // an existing file keeps its old mode otherwise
  } catch (err) {
    throw new CliError(`Cannot write ${path}: ${(err as Error).message}\nCheck that the directory exists and is writable`, EXIT.runtime, "WriteFailed");
  }
}

/** Appends `(reason)` to a one-line result when there is one. */
export const withReason = (line: string, reason?: string) => (reason ? `${line} (${reason})` : line);

/** A join request id (an opaque string, as listed by `community requests`). */
export function requestIdValue(input: string): string {
  const v = input.trim();
  if (!v) throw new UsageError("Missing the join request id (see `ofpds community requests <community>`)");
  return v;
}

/** The `<did|handle>` positional every community verb takes. */
export const communityArg = {
  community: { type: "positional", required: true, description: "Handle or DID of the community" },
} as const;

/** The common prologue of a signed-in community verb: output, client with a session, the community's DID. */
export async function openCommunityCommand(args: { community: string; server?: string; timeout?: string; json?: boolean; quiet?: boolean; color?: boolean }) {
  const out = outputFrom(args);
  const client = clientFrom(args, out);
  client.requireSession();
  const did = await normalizeRef(client, args.community);
  return { out, client, did };
}
