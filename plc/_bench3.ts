import { Secp256k1Keypair } from "@atproto/crypto";
import { encodeCbor, didForGenesis } from "./ops/encoding.ts";
import { validateOp } from "./ops/validate.ts";
import { PlcStore } from "./store/store.ts";
import { PlcWriter } from "./store/writer.ts";
import { createMemoryDidLock } from "./store/lock.ts";
const key = await Secp256k1Keypair.create();
const N = 3000; const ops: [string, string][] = [];
for (let i = 0; i < N; i++) {
  const unsigned = { type: "plc_operation", rotationKeys: [key.did()], verificationMethods: { atproto: key.did() }, alsoKnownAs: [`at://u${i}.test`], services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: "https://pds.test" } }, prev: null };
  const sig = Buffer.from(await key.sign(encodeCbor(unsigned))).toString("base64url");
  const op = { ...unsigned, sig }; ops.push([didForGenesis(op), JSON.stringify(op)]);
}
let t = performance.now();
for (const [d, b] of ops) validateOp(d, [], JSON.parse(b), { mode: "post", time: Date.now() });
console.log("validate/s", Math.round(N / ((performance.now() - t) / 1000)));
t = performance.now();
for (const [d, b] of ops) encodeCbor(JSON.parse(b));
console.log("cbor/s", Math.round(N / ((performance.now() - t) / 1000)));
const store = PlcStore.open(`/tmp/plc-b3-${Date.now()}/plc.sqlite`);
const w = new PlcWriter(store, createMemoryDidLock());
t = performance.now();
await Promise.all(ops.map(([d, b]) => w.submit(d, JSON.parse(b), { mode: "post", clock: Date.now() })));
console.log("submit/s", Math.round(N / ((performance.now() - t) / 1000)));
