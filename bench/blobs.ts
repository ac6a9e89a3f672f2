// Blob figures: uploadBlob MB/s for a few sizes, and getBlob MB/s, against the compiled binary.
import { benchUser, figure, header, startBenchPds, xrpcCall } from "./_util.ts";

const SIZES = [64 * 1024, 1024 * 1024, 10 * 1024 * 1024, 40 * 1024 * 1024];
const TOTAL_BYTES = Number(process.env.BENCH_BLOB_BYTES ?? 200 * 1024 * 1024); // per size

export async function benchBlobs(): Promise<void> {
  header("ofpds serve --dev: blob uploads and downloads");
  const pds = await startBenchPds("blobs");
  const { url } = pds;
  try {
    const { did, accessJwt } = await benchUser(url);

    for (const size of SIZES) {
      const n = Math.max(3, Math.floor(TOTAL_BYTES / size));
      const bodies = Array.from({ length: Math.min(n, 4) }, () => {
        const b = new Uint8Array(size);
        for (let i = 0; i < size; i += 65536) crypto.getRandomValues(b.subarray(i, Math.min(size, i + 65536)));
        return b;
      });
      let last: { ref: { $link: string }; mimeType: string; size: number } | undefined;
      const start = performance.now();
      for (let i = 0; i < n; i++) {
        const body = bodies[i % bodies.length]!;
        body[0] = i & 0xff; // distinct bytes → a new blob each time
        body[1] = (i >> 8) & 0xff;
        const res = await fetch(`${url}/xrpc/com.atproto.repo.uploadBlob`, {
          method: "POST",
          headers: { authorization: `Bearer ${accessJwt}`, "content-type": "application/octet-stream" },
          body,
        });
        if (res.status !== 200) throw new Error(`uploadBlob → ${res.status} ${await res.text()}`);
        last = ((await res.json()) as { blob: typeof last }).blob;
      }
      const ms = performance.now() - start;
      const label = size >= 1024 * 1024 ? `${size / 1024 / 1024} MiB` : `${size / 1024} KiB`;
      figure(`uploadBlob ${label}`, (n * size) / 1024 / 1024 / (ms / 1000), "MiB/s", `${n} uploads, 1 client, ${(n / (ms / 1000)).toFixed(1)} uploads/s`);

      // make the last one permanent, then download it repeatedly
      await xrpcCall(url, "com.atproto.repo.createRecord", accessJwt, { repo: did, collection: "com.example.file", record: { file: { $type: "blob", ...last } } });
      const reads = Math.max(3, Math.floor(TOTAL_BYTES / size / 2));
      const rstart = performance.now();
      for (let i = 0; i < reads; i++) {
        const res = await fetch(`${url}/xrpc/com.atproto.sync.getBlob?did=${encodeURIComponent(did)}&cid=${last!.ref.$link}`);
        if (res.status !== 200) throw new Error(`getBlob → ${res.status}`);
        await res.arrayBuffer();
      }
      figure(`getBlob ${label}`, (reads * size) / 1024 / 1024 / ((performance.now() - rstart) / 1000), "MiB/s", `${reads} downloads, 1 client`);
    }
  } finally {
    await pds.stop();
  }
}
