import { startPlcServer } from "./index.ts";
const s = await startPlcServer({ port: 39111, host: "127.0.0.1", dbPath: `/tmp/plc-bench-${Date.now()}/plc.sqlite`, rateLimitsEnabled: false, trustProxy: 0, dev: true, version: "t" });
console.log("up");
