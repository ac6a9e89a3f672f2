// Builds the SDK from src/: minified ESM (dist/index.js), the IIFE of /sdk/v1.js (dist/openfederation.iife.js), .d.ts files.
// `bun sdk/build.ts` writes dist/ and prints the gzip size; `--print-iife` writes only the IIFE to stdout (the binary's embed).
import { gzipSync } from "bun";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Spec 08 §5: the minified, gzipped IIFE must stay within 3 KB. */
export const SDK_GZIP_BUDGET = 3072;

const SDK_DIR = new URL("./", import.meta.url).pathname;

async function bundle(entry: string, format: "esm" | "iife"): Promise<string> {
  const result = await Bun.build({ entrypoints: [join(SDK_DIR, "src", entry)], format, target: "browser", minify: true, sourcemap: "none" });
  if (!result.success) throw new AggregateError(result.logs, `SDK ${format} build failed`);
  return (await result.outputs[0]!.text()).trim();
}

export interface SdkBuild {
  esm: string;
  iife: string;
  /** gzip (level 9) size of the IIFE in bytes */
  gzipBytes: number;
}

export async function buildSdk(): Promise<SdkBuild> {
  const [esm, iife] = await Promise.all([bundle("index.ts", "esm"), bundle("global.ts", "iife")]);
  return { esm, iife, gzipBytes: gzipSync(iife, { level: 9 }).length };
}

/** dist/*.d.ts via tsc; imports are rewritten to `.js` so consumers without allowImportingTsExtensions resolve them. */
function emitTypes(): void {
  const tsc = join(SDK_DIR, "../node_modules/.bin/tsc");
  const res = Bun.spawnSync([tsc, "-p", join(SDK_DIR, "tsconfig.json")], { stdout: "pipe", stderr: "pipe" });
  if (!res.success) throw new Error(`tsc failed:\n${res.stdout}${res.stderr}`);
  const dist = join(SDK_DIR, "dist");
  for (const f of readdirSync(dist).filter((n) => n.endsWith(".d.ts"))) {
    const p = join(dist, f);
    writeFileSync(p, readFileSync(p, "utf8").replace(/(from\s+"\.\/[\w-]+)\.ts"/g, '$1.js"'));
  }
}

if (import.meta.main) {
  const out = await buildSdk();
  if (process.argv.includes("--print-iife")) {
    process.stdout.write(out.iife);
  } else {
    const dist = join(SDK_DIR, "dist");
    rmSync(dist, { recursive: true, force: true });
    emitTypes();
    writeFileSync(join(dist, "index.js"), out.esm + "\n");
    writeFileSync(join(dist, "openfederation.iife.js"), out.iife + "\n");
    const verdict = out.gzipBytes <= SDK_GZIP_BUDGET ? "within" : "OVER";
    console.error(`sdk: dist/index.js ${out.esm.length} B, dist/openfederation.iife.js ${out.iife.length} B, gzip ${out.gzipBytes} B (${verdict} the ${SDK_GZIP_BUDGET} B budget)`);
    if (out.gzipBytes > SDK_GZIP_BUDGET) process.exit(1);
  }
}
