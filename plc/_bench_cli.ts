import { Secp256k1Keypair } from "@atproto/crypto";
import { encodeCbor, didForGenesis } from "./ops/encoding.ts";
const key = await Secp256k1Keypair.create();
const N = 4000; const ops: [string, string][] = [];
for (let i = 0; i < N; i++) {
  const unsigned = { type: "plc_operation", rotationKeys: [key.did()], verificationMethods: { atproto: key.did() }, alsoKnownAs: [`at://u${i}-${Date.now()}.test`], services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: "https://pds.test" } }, prev: null };
  const sig = Buffer.from(await key.sign(encodeCbor(unsigned))).toString("base64url");
  const op = { ...unsigned, sig }; ops.push([didForGenesis(op), JSON.stringify(op)]);
}
const t = performance.now(); let i = 0; let bad = 0;
await Promise.all(Array.from({ length: 32 }, async () => { while (i < N) { const [d, b] = ops[i++]!; const r = await fetch(`http://127.0.0.1:39111/${d}`, { method: "POST", body: b }); if (r.status !== 200) bad++; await r.text(); } }));
console.log("ops/s", Math.round(N / ((performance.now() - t) / 1000)), "bad", bad);
