import { startPlcServer } from "./index.ts";
import { Secp256k1Keypair } from "@atproto/crypto";
import * as plcLib from "@did-plc/lib";
const s = await startPlcServer({ port: 0, host: "127.0.0.1", dbPath: "/tmp/plc-try/plc.sqlite", rateLimitsEnabled: true, trustProxy: 0, dev: false, version: "t" });
console.log(s.url);
const key = await Secp256k1Keypair.create();
const { op, did } = await plcLib.createOp({ signingKey: key.did(), handle: "alice.test", pds: "https://pds.test", rotationKeys: [key.did()], signer: key as any });
let r = await fetch(`${s.url}/${did}`, { method: "POST", body: JSON.stringify(op) });
console.log(r.status, await r.text());
for (const p of ["/", "/_health", `/${did}`, `/${encodeURIComponent(did)}/data`, `/${did}/log`, `/${did}/log/audit`, `/${did}/log/last`, "/export", "/export?after=0", "/did:plc:nope", "/export/stream", "/a/b/c/d"]) {
  r = await fetch(s.url + p); console.log(p, r.status, r.headers.get("content-type"), r.headers.get("access-control-allow-origin"), (await r.text()).slice(0, 200));
}
r = await fetch(`${s.url}/${did}`, { method: "POST", body: "{bad" }); console.log(r.status, await r.text());
r = await fetch(`${s.url}/${did}`, { method: "POST", body: JSON.stringify(op) }); console.log(r.status, await r.text());
r = await fetch(`${s.url}/${did}`, { method: "OPTIONS" }); console.log(r.status, [...r.headers]);
await s.stop();
