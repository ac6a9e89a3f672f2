// createClient: sessions against an ofpds server (login, partner register, logout, refresh) and authenticated XRPC calls.
import { errorFor, NetworkError, OpenFederationError, ValidationError } from "./errors.ts";
import { pickStorage, type StorageOption } from "./storage.ts";

export interface User {
  did: string;
  handle: string;
  email: string;
  active: boolean;
  status?: string;
}

export interface ClientOptions {
  serverUrl: string;
  /** an `ofp_` partner key; needed only by `register` */
  partnerKey?: string;
  storage?: StorageOption;
  /** key prefix in storage (default `ofd_`) */
  storagePrefix?: string;
  /** refresh 60 s before the access token expires (default true) */
  autoRefresh?: boolean;
  onAuthChange?: AuthListener;
  /** the handle domain `displayHandle` strips (default: the server's hostname) */
  handleDomain?: string;
}

export type AuthListener = (user: User | null) => void;

export interface FetchOptions {
  method?: "GET" | "POST";
  params?: Record<string, string | number | boolean | Array<string | number | boolean> | undefined>;
  /** JSON-encoded unless it is a Blob or a byte array */
  body?: unknown;
  headers?: Record<string, string>;
}

interface Stored {
  accessJwt: string;
  refreshJwt: string;
  user: User;
}

type SessionOutput = Partial<User> & { accessJwt: string; refreshJwt: string; primaryRotationKey?: unknown };

/** Refresh this many seconds before `exp`. */
const EARLY_S = 60;

/** Seconds-since-epoch `exp` of a JWT (0 when unreadable, which forces a refresh). */
function expOf(jwt: string): number {
  try {
    return JSON.parse(atob(jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).exp || 0;
  } catch {
    return 0;
  }
}

export function createClient(opts: ClientOptions) {
  const base = opts.serverUrl.replace(/\/+$/, "");
  const key = (opts.storagePrefix ?? "ofd_") + "session";
  const store = pickStorage(opts.storage, key + "_probe");
  const listeners = new Set<AuthListener>();
  if (opts.onAuthChange) listeners.add(opts.onAuthChange);
  let inflight: Promise<string> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Bumped whenever the session is replaced or cleared: a refresh that started before a logout must not write
  // its (already revoked) tokens back afterwards.
  let generation = 0;

  const load = (): Stored | undefined => {
    try {
      return JSON.parse(store.get(key) || "null") || undefined;
    } catch {
      return undefined;
    }
  };
  const emit = (user: User | null) => listeners.forEach((cb) => cb(user));

  const schedule = (s: Stored | undefined) => {
    clearTimeout(timer);
    if (s && opts.autoRefresh !== false) {
      const ms = Math.min((expOf(s.accessJwt) - EARLY_S) * 1000 - Date.now(), 2e9);
      // A failed background refresh is not an error anyone can catch; the next call retries or reports it.
      timer = setTimeout(() => refresh().catch(() => {}), Math.max(ms, 0));
    }
  };

  const save = (out: SessionOutput, prev?: User): User => {
    const user: User = {
      did: out.did ?? prev!.did,
      handle: out.handle ?? prev!.handle,
      email: out.email ?? prev?.email ?? "",
      active: out.active ?? prev?.active ?? true,
    };
    const status = out.status ?? prev?.status;
    if (status) user.status = status;
    const s = { accessJwt: out.accessJwt, refreshJwt: out.refreshJwt, user };
    generation++;
    store.set(key, JSON.stringify(s));
    schedule(s);
    return user;
  };

  const clear = () => {
    generation++;
    store.remove(key);
    schedule(undefined);
    emit(null);
  };

  async function call(nsid: string, o: FetchOptions = {}, token?: string): Promise<any> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(o.params ?? {})) for (const x of ([] as unknown[]).concat(v ?? [])) q.append(k, String(x));
    const { body } = o;
    const raw = body instanceof Blob || ArrayBuffer.isView(body);
    const headers: Record<string, string> = {};
    if (body !== undefined && !raw) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    let res: Response;
    try {
      res = await fetch(`${base}/xrpc/${nsid}${q.size ? "?" + q : ""}`, {
        method: o.method ?? (body === undefined ? "GET" : "POST"),
        headers: { ...headers, ...o.headers },
        body: body === undefined ? undefined : raw ? (body as BodyInit) : JSON.stringify(body),
      });
    } catch (e) {
      throw new NetworkError(0, "NetworkError", (e as Error).message);
    }
    const json = (res.headers.get("content-type") || "").includes("json");
    const data = json ? await res.json().catch(() => undefined) : res.status === 204 ? undefined : await res.blob();
    if (!res.ok) throw errorFor(res.status, json ? data : undefined, res.headers.get("retry-after"));
    return data;
  }

  async function rotate(): Promise<string> {
    const s = load();
    if (!s) throw new OpenFederationError(401, "AuthRequired", "Not signed in");
    const gen = generation;
    try {
      const out: SessionOutput = await call("com.atproto.server.refreshSession", { method: "POST" }, s.refreshJwt);
      if (gen !== generation) throw new OpenFederationError(401, "AuthRequired", "Signed out during refresh");
      save(out, s.user);
      return out.accessJwt;
    } catch (e) {
      // Only a verdict on the token ends the session; a network error or a 5xx keeps it for the next try.
      const name = (e as OpenFederationError).error;
      if ((name === "InvalidToken" || name === "ExpiredToken") && gen === generation) clear();
      throw e;
    }
  }

  /** Single flight: every caller during a refresh shares the one request (a refresh token is single-use). */
  function refresh(): Promise<string> {
    return (inflight ??= rotate().finally(() => (inflight = undefined)));
  }

  async function getAccessToken(): Promise<string | null> {
    const s = load();
    if (!s) return null;
    return expOf(s.accessJwt) - EARLY_S > Date.now() / 1000 ? s.accessJwt : refresh();
  }

  /** Authenticated XRPC call; on `ExpiredToken`/`InvalidToken` refreshes once and retries once. */
  async function xrpc<T = any>(nsid: string, o: FetchOptions = {}): Promise<T> {
    const token = await getAccessToken();
    try {
      return await call(nsid, o, token ?? undefined);
    } catch (e) {
      const { status, error } = e as OpenFederationError;
      if (!token || !((status === 400 && error === "ExpiredToken") || (status === 401 && error === "InvalidToken"))) throw e;
      return call(nsid, o, await refresh());
    }
  }

  const signedIn = (out: SessionOutput) => {
    const user = save(out);
    emit(user);
    return user;
  };

  schedule(load());

  return {
    async register(input: { handle: string; email: string; password: string; rotationKey?: string }): Promise<User & { primaryRotationKey?: unknown }> {
      if (!opts.partnerKey) throw new ValidationError(400, "PartnerKeyRequired", "register needs a partnerKey");
      const out: SessionOutput = await call("net.openfederation.partner.register", { body: input, headers: { "X-Partner-Key": opts.partnerKey } });
      const user = signedIn(out);
      return out.primaryRotationKey ? { ...user, primaryRotationKey: out.primaryRotationKey } : user;
    },
    async login(input: { identifier: string; password: string }): Promise<User> {
      return signedIn(await call("com.atproto.server.createSession", { body: input }));
    },
    /** Revokes the session on the server (refresh JWT in Authorization); local tokens go even if that fails. */
    async logout(): Promise<void> {
      const s = load();
      try {
        if (s) await call("com.atproto.server.deleteSession", { method: "POST" }, s.refreshJwt);
      } catch {
        /* signed out locally all the same */
      } finally {
        if (s) clear();
      }
    },
    refresh,
    getAccessToken,
    fetch: xrpc,
    /** Asks the server who is signed in, and keeps the stored user up to date. */
    async getSession(): Promise<User> {
      const out = await xrpc("com.atproto.server.getSession");
      const user: User = { did: out.did, handle: out.handle, email: out.email ?? "", active: out.active ?? true };
      if (out.status) user.status = out.status;
      const s = load();
      // Written in place (no generation bump): a refresh in flight for the same session stays valid.
      if (s && s.user.did === user.did) store.set(key, JSON.stringify({ ...s, user }));
      return user;
    },
    getUser: (): User | null => load()?.user ?? null,
    isAuthenticated: () => !!load(),
    onAuthChange(cb: AuthListener): () => void {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    /** `alice.example.com` → `alice` when the handle domain is `example.com`; other handles unchanged. */
    displayHandle(handle: string): string {
      const suffix = "." + (opts.handleDomain ?? new URL(base).hostname);
      return handle.endsWith(suffix) ? handle.slice(0, -suffix.length) : handle;
    },
    /** Stops the refresh timer and drops listeners; stored tokens stay. */
    destroy() {
      schedule(undefined);
      listeners.clear();
    },
  };
}

export type Client = ReturnType<typeof createClient>;
