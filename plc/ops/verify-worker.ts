// Worker thread body: verifies secp256k1 compact signatures (pure-JS maths) off the main thread.
import { secp256k1 } from "@noble/curves/secp256k1";

declare const self: Worker;

self.onmessage = (event: MessageEvent<{ id: number; publicKey: Uint8Array; hash: Uint8Array; sig: Uint8Array }>) => {
  const { id, publicKey, hash, sig } = event.data;
  let ok = false;
  try {
    ok = secp256k1.verify(sig, hash, publicKey, { lowS: true, prehash: false, format: "compact" });
  } catch {
    ok = false;
  }
  self.postMessage({ id, ok });
};
