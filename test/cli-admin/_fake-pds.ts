// A scripted XRPC server for CLI tests: real token rotation semantics, canned responses, and a log of every call.
export interface FakeCall {
  nsid: string;
  method: string;
  authorization: string | null;
  params: Record<string, string[]>;
  body: any;
}

export interface Canned {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface FakeAccount {
  did: string;
  handle: string;
  email: string;
  status: string;
  roles: string[];
  createdAt: string;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

/** An HS256-shaped JWT with the given lifetime; the fake server checks tokens by identity, not signature. */
export function fakeJwt(typ: string, ttlSeconds: number, extra: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: "HS256", typ })}.${b64({ sub: "did:plc:admin", iat: now, exp: now + ttlSeconds, jti: crypto.randomUUID(), ...extra })}.sig`;
}

export function startFakePds(opts: { accessTtl?: number; refreshDelayMs?: number; accounts?: FakeAccount[] } = {}) {
  const calls: FakeCall[] = [];
  const canned = new Map<string, Canned>();
  /** refresh token → the access tokens issued with it */
  const sessions = new Map<string, Set<string>>();
  let accessTtl = opts.accessTtl ?? 900;
  const accounts = opts.accounts ?? [];
  const me = { did: "did:plc:admin", handle: "admin.test", email: "admin@example.org" };

  const issue = () => {
    const accessJwt = fakeJwt("at+jwt", accessTtl);
    const refreshJwt = fakeJwt("refresh+jwt", 86400);
    sessions.set(refreshJwt, new Set([accessJwt]));
    return { accessJwt, refreshJwt, ...me, emailConfirmed: false, active: true, roles: ["admin", "user"], accountStatus: "approved" };
  };
  const json = (status: number, body?: unknown, headers: Record<string, string> = {}) =>
    new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
  const bearer = (req: Request) => req.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
  /** Access-token check: expired → 400 ExpiredToken; unknown or revoked → 401 InvalidToken. */
  const checkAccess = (req: Request): Response | undefined => {
    const token = bearer(req);
    if (!token) return json(401, { error: "AuthRequired", message: "Authentication required" });
    const exp = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString() || "{}").exp as number;
    if (![...sessions.values()].some((s) => s.has(token))) return json(401, { error: "InvalidToken", message: "Token could not be verified" });
    if (exp < Date.now() / 1000) return json(400, { error: "ExpiredToken", message: "Token has expired" });
    return undefined;
  };

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const nsid = url.pathname.replace(/^\/xrpc\//, "");
      const params: Record<string, string[]> = {};
      url.searchParams.forEach((v, k) => (params[k] ??= []).push(v));
      const text = req.method === "POST" ? await req.text() : "";
      const body = text ? JSON.parse(text) : undefined;
      calls.push({ nsid, method: req.method, authorization: req.headers.get("authorization"), params, body });
      const c = canned.get(nsid);
      if (c) {
        if (c.delayMs) await Bun.sleep(c.delayMs);
        if (c.status >= 400 || nsid !== "com.atproto.server.getSession") return json(c.status, c.body, c.headers);
      }
      switch (nsid) {
        case "com.atproto.server.createSession":
          if (body?.identifier === "admin" && body?.password === "correct horse battery") return json(200, issue());
          return json(401, { error: "Unauthorized", message: "Invalid identifier or password" });
        case "com.atproto.server.refreshSession": {
          await Bun.sleep(opts.refreshDelayMs ?? 0);
          const token = bearer(req);
          if (!sessions.has(token)) return json(401, { error: "InvalidToken", message: "Token could not be verified" });
          sessions.delete(token);
          return json(200, issue());
        }
        case "com.atproto.server.deleteSession":
          sessions.delete(bearer(req));
          return new Response(null, { status: 200 });
        case "com.atproto.server.getSession":
          return checkAccess(req) ?? json(200, { ...me, emailConfirmed: false, active: true, roles: ["admin", "user"], accountStatus: "approved" });
        case "net.openfederation.account.list": {
          const denied = checkAccess(req);
          if (denied) return denied;
          const q = params.q?.[0];
          const rows = accounts.filter((a) => !q || a.handle.split(".")[0]!.includes(q) || a.email.includes(q));
          const start = Number(params.cursor?.[0] ?? 0);
          const limit = Number(params.limit?.[0] ?? 50);
          const page = rows.slice(start, start + limit);
          return json(200, { users: page, total: rows.length, ...(start + limit < rows.length ? { cursor: String(start + limit) } : {}) });
        }
        default: {
          const denied = checkAccess(req);
          if (denied) return denied;
          if (c) return json(c.status, c.body, c.headers);
          return json(404, { error: "MethodNotFound", message: "Method not found" });
        }
      }
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    calls,
    canned,
    sessions,
    setAccessTtl(s: number) {
      accessTtl = s;
    },
    callsTo: (nsid: string) => calls.filter((c) => c.nsid === nsid),
    stop: () => server.stop(true),
  };
}
