// IP address parsing, CIDR matching (IPv4 and IPv6) and client-IP extraction behind TRUST_PROXY.

/** Parse an IPv4 or IPv6 address into bytes (4 or 16). IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes IPv4. */
export function parseIp(input: string): Uint8Array | undefined {
  let s = input.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(":")) return parseV4(s);
  const v6 = parseV6(s);
  if (v6 && v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) return v6.slice(12);
  return v6;
}

function parseV4(s: string): Uint8Array | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseV6(s: string): Uint8Array | undefined {
  // An embedded dotted IPv4 tail (e.g. ::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = s.lastIndexOf(":");
  const tail = s.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseV4(tail);
    if (!v4) return undefined;
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  return out;
}

export interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

/** Parse `addr/prefix` (or a bare address = host route). Throws on malformed input so config errors surface. */
export function parseCidr(input: string): Cidr {
  const [addr = "", len, ...extra] = input.trim().split("/");
  const bytes = parseIp(addr);
  const textMax = addr.includes(":") ? 128 : 32;
  if (!bytes || extra.length || (len !== undefined && !/^\d+$/.test(len)) || Number(len ?? 0) > textMax) {
    throw new Error(`invalid CIDR "${input}"`);
  }
  const prefix = len === undefined ? textMax : Number(len);
  // An IPv4-mapped IPv6 CIDR (::ffff:10.0.0.0/104) parses to IPv4 bytes: drop the 96 mapping bits.
  return { bytes, prefix: bytes.length === 4 && textMax === 128 ? Math.max(0, prefix - 96) : prefix };
}

export function cidrContains(cidr: Cidr, ip: Uint8Array): boolean {
  if (cidr.bytes.length !== ip.length) return false;
  let bits = cidr.prefix;
  for (let i = 0; i < ip.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((cidr.bytes[i]! & mask) !== (ip[i]! & mask)) return false;
  }
  return true;
}

/** A matcher over a fixed CIDR list. */
export function cidrMatcher(cidrs: string[]): (ip: string) => boolean {
  const parsed = cidrs.map(parseCidr);
  return (ip) => {
    const bytes = parseIp(ip);
    return !!bytes && parsed.some((c) => cidrContains(c, bytes));
  };
}

/** Canonical text for a parsed address (used as the rate-limit key so equivalent spellings share a bucket). */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(":");
}

/**
 * The client address: the socket address, or with trustProxy = N the N-th X-Forwarded-For entry from the
 * right. A shorter header yields its leftmost entry; an unparsable entry falls back to the socket address.
 */
export function clientIp(socketIp: string | undefined, forwardedFor: string | null, trustProxy: number): string {
  const fallback = socketIp ? normalizeIp(socketIp) : "unknown";
  if (trustProxy <= 0 || !forwardedFor) return fallback;
  const entries = forwardedFor.split(",").map((e) => e.trim()).filter(Boolean);
  if (!entries.length) return fallback;
  const picked = entries[Math.max(0, entries.length - trustProxy)]!;
  const bytes = parseIp(picked);
  return bytes ? formatIp(bytes) : fallback;
}

export function normalizeIp(ip: string): string {
  const bytes = parseIp(ip);
  return bytes ? formatIp(bytes) : ip;
}
