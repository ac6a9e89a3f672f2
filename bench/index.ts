// `bun run bench`: build the binary, then print every figure (benchmarks only; tests never assert timings).
import { buildBinary } from "../scripts/build.ts";
import { benchPlc } from "./plc.ts";
import { benchServe } from "./serve.ts";
import { benchRepo } from "./repo.ts";
import { benchFirehose } from "./firehose.ts";
import { benchBlobs } from "./blobs.ts";
import { benchPostgres } from "./postgres.ts";

if (!process.env.OFPDS_BIN) await buildBinary();
const { stdout } = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"]);
console.log(`# ofpds benchmarks — commit ${stdout.toString().trim() || "unknown"}, ${new Date().toISOString()}`);
await benchServe();
await benchPlc();
await benchRepo();
await benchBlobs();
await benchFirehose();
await benchPostgres();
