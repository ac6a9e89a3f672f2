// PLC directory figures: genesis ops/s and updates/s over HTTP, GET /:did req/s, export ops/s, RSS.
import { Secp256k1Keypair } from "@atproto/crypto";
import * as plc from "@did-plc/lib";
import { BIN, figure, freePort, header, rssMiB, runConcurrent, tempDir, waitHealthy } from "./_util.ts";

const GENESIS = Number(process.env.BENCH_PLC_GENESIS ?? 3000);
const UPDATES = Number(process.env.BENCH_PLC_UPDATES ?? 1500);
const READS = Number(process.env.BENCH_PLC_READS ?? 20000);

export async function benchPlc(): Promise<void> {
  header("ofpds plc (did:plc directory)");
  const port = await freePort();
  const dataDir = tempDir("ofpds-bench-plc-");
  const proc = Bun.spawn([BIN, "plc", "--port", String(port), "--data-dir", dataDir], {
    env: { PATH: process.env.PATH ?? "", PLC_RATE_LIMITS_ENABLED: "false", HOME: process.env.HOME ?? "/root" },
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    const startMs = await waitHealthy(`${url}/_health`);
    figure("cold start to first /_health 200", startMs, "ms");
    await Bun.sleep(1000);
    figure("idle RSS", rssMiB(proc.pid), "MiB");

    // Sign everything first: the figures measure the directory, not the client's signing.
    const rotation = await Secp256k1Keypair.create();
    const signing = await Secp256k1Keypair.create();
    const geneses = await Promise.all(
      Array.from({ length: GENESIS }, (_, i) =>
        plc.createOp({ signingKey: signing.did(), handle: `bench${i}.test`, pds: "https://pds.example.org", rotationKeys: [rotation.did()], signer: rotation }),
      ),
    );
    const post = async (did: string, op: unknown) => {
      const res = await fetch(`${url}/${did}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(op) });
      if (res.status !== 200) throw new Error(`POST ${did} → ${res.status} ${await res.text()}`);
    };
    const genesisMs = await runConcurrent(GENESIS, 8, (i) => post(geneses[i]!.did, geneses[i]!.op));
    figure("genesis ops/s over HTTP (8 clients)", (GENESIS / genesisMs) * 1000, "ops/s", `${GENESIS} ops`);

    const updates = await Promise.all(
      geneses.slice(0, UPDATES).map((g, i) => plc.updateHandleOp(g.op, rotation, `renamed${i}.test`)),
    );
    const updateMs = await runConcurrent(UPDATES, 8, (i) => post(geneses[i]!.did, updates[i]));
    figure("update ops/s over HTTP (8 clients)", (UPDATES / updateMs) * 1000, "ops/s", `${UPDATES} ops`);

    const readMs = await runConcurrent(READS, 16, async (i) => {
      const res = await fetch(`${url}/${geneses[i % GENESIS]!.did}`);
      if (res.status !== 200) throw new Error(`GET → ${res.status}`);
      await res.arrayBuffer();
    });
    figure("GET /:did requests/s (16 clients)", (READS / readMs) * 1000, "req/s", `${READS} requests`);

    let exported = 0;
    let after = 0;
    const exportStart = performance.now();
    for (;;) {
      const body = await (await fetch(`${url}/export?after=${after}&count=1000`)).text();
      if (!body) break;
      const lines = body.split("\n");
      exported += lines.length;
      after = JSON.parse(lines[lines.length - 1]!).seq;
    }
    figure("export ops/s (sequenced, 1000/page)", (exported / (performance.now() - exportStart)) * 1000, "ops/s", `${exported} ops`);
    figure("RSS after load", rssMiB(proc.pid), "MiB");
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

if (import.meta.main) await benchPlc();
