// PDS server figures (foundation): cold start to first /xrpc/_health 200, idle RSS, health requests/s.
import { BIN, figure, freePort, header, rssMiB, runConcurrent, tempDir, waitHealthy } from "./_util.ts";

export async function benchServe(): Promise<void> {
  header("ofpds serve --dev (PDS core, embedded PLC)");
  const port = await freePort();
  const plcPort = await freePort();
  const dataDir = tempDir("ofpds-bench-pds-");
  const proc = Bun.spawn([BIN, "serve", "--dev", "--port", String(port), "--data-dir", dataDir], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", PLC_PORT: String(plcPort), RATE_LIMITS_ENABLED: "false" },
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    figure("cold start to first /xrpc/_health 200", await waitHealthy(`${url}/xrpc/_health`), "ms", "fresh data dir, migrations included");
    await Bun.sleep(1000);
    figure("idle RSS", rssMiB(proc.pid), "MiB");
    const n = 20000;
    const ms = await runConcurrent(n, 16, async () => {
      const res = await fetch(`${url}/xrpc/com.atproto.server.describeServer`);
      if (!res.ok) throw new Error(`describeServer → ${res.status}`);
      await res.arrayBuffer();
    });
    figure("describeServer requests/s (16 clients)", (n / ms) * 1000, "req/s", `${n} requests, lexicon output check on`);
    figure("RSS after load", rssMiB(proc.pid), "MiB");
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

if (import.meta.main) await benchServe();
