// Origin normalisation for partner keys (spec 06 §7): `http(s)://host[:port]`, lower-cased, default ports dropped.

/** Loopback names that may use plain `http` in development (the spec names localhost; the loopback IPs are the same machine). */
const DEV_HTTP_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const SHAPE = /^(https?):\/\/([^/?#@\\\s]+)\/?$/i;

export type OriginResult = { ok: true; origin: string } | { ok: false; problem: string };

/**
 * Normalises one origin. `dev` allows `http` for loopback hosts; everything else must be `https`. The same
 * function normalises a request's Origin header, so matching is exact string equality afterwards.
 */
export function normaliseOrigin(value: string, dev: boolean): OriginResult {
  const m = SHAPE.exec(value.trim());
  if (!m) return { ok: false, problem: "must be http(s)://host[:port] with no path, query, fragment or credentials" };
  let url: URL;
  try {
    url = new URL(`${m[1]!.toLowerCase()}://${m[2]!}`);
  } catch {
    return { ok: false, problem: "is not a valid URL" };
  }
  if (!url.hostname || url.hostname.endsWith(".") || url.hostname.includes("*")) return { ok: false, problem: "has no valid host" };
  if (url.protocol === "http:" && !(dev && DEV_HTTP_HOSTS.has(url.hostname))) {
    return { ok: false, problem: dev ? "must use https (http only for localhost)" : "must use https" };
  }
  // URL lower-cases scheme and host and drops default ports (:443 for https, :80 for http)
  return { ok: true, origin: `${url.protocol}//${url.host}` };
}
