// Path DIDs: accepted raw or percent-encoded; malformed escapes are a miss, never a 500.

/** The first path segment of `url`, percent-decoded; null when the escape sequence is malformed. */
export function pathDid(url: string): { raw: string; did: string | null } {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const end = url.indexOf("/", start + 1);
  const q = url.indexOf("?", start);
  const stop = [end, q].filter((i) => i >= 0);
  const raw = url.slice(start + 1, stop.length ? Math.min(...stop) : undefined);
  try {
    return { raw, did: decodeURIComponent(raw) };
  } catch {
    return { raw, did: null };
  }
}

/** The §3 step 1 shape: `did:plc:` + base32-lower chars. Exactly 24 is enforced by the genesis hash
 * check (spec 07 acceptance: a 25-char DID answers "Hash of genesis operation…"). */
export const POSTABLE_DID_RE = /^did:plc:[a-z2-7]{1,64}$/;
