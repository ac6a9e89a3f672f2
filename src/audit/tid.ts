// TIDs for audit ids: 13 base32-sortable chars of microseconds + clock id, strictly increasing within a process.
const ALPHABET = "234567abcdefghijklmnopqrstuvwxyz";
let last = 0;
const clockId = Math.floor(Math.random() * 1024);

function encode(n: bigint, len: number): string {
  let out = "";
  for (let i = 0; i < len; i++) {
    out = ALPHABET[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

export function nextTid(nowMs = Date.now()): string {
  let micros = nowMs * 1000;
  if (micros <= last) micros = last + 1;
  last = micros;
  return encode((BigInt(micros) << 10n) | BigInt(clockId), 13);
}

export const TID_RE = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;
