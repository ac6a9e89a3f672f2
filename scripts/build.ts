// Compiles cmd/main.ts into one executable (dist/ofpds), optionally cross-compiling (--target=bun-linux-arm64).
import type { BunPlugin } from "bun";
import { VERIFY_WORKER_ENTRY } from "../plc/ops/verify-pool.ts";
import { buildSdk, SDK_GZIP_BUDGET } from "../sdk/build.ts";

/**
 * Ink imports react-devtools-core statically; it is only used when DEV=true. Resolving it to an
 * empty module keeps the binary self-contained (marking it external makes the binary fail at start).
 */
export const inkDevtoolsStub: BunPlugin = {
  name: "ink-devtools-stub",
  setup(build) {
    build.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: "react-devtools-core", namespace: "ofpds-stub" }));
    build.onLoad({ filter: /.*/, namespace: "ofpds-stub" }, () => ({
      contents: "export default { initialize() {}, connectToDevTools() {} };",
      loader: "js",
    }));
  },
};

type Target = "bun-linux-x64" | "bun-linux-arm64" | "bun-darwin-arm64" | "bun-darwin-x64";

export async function buildBinary(opts: { target?: Target; outfile?: string } = {}): Promise<string> {
  const outfile = opts.outfile ?? (opts.target === "bun-linux-arm64" ? "dist/ofpds-linux-arm64" : "dist/ofpds");
  const result = await Bun.build({
    // Worker scripts are extra entrypoints so `new Worker(new URL(...))` resolves inside the binary.
    entrypoints: ["cmd/main.ts", VERIFY_WORKER_ENTRY].map((p) => new URL(`../${p}`, import.meta.url).pathname),
    plugins: [inkDevtoolsStub],
    minify: true,
    sourcemap: "none",
    compile: {
      ...(opts.target ? { target: opts.target } : {}),
      outfile: new URL(`../${outfile}`, import.meta.url).pathname,
      // Our config loader reads .env itself (with its own precedence rules); the binary must not.
      autoloadDotenv: false,
      autoloadBunfig: false,
    },
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    throw new Error("build failed");
  }
  return outfile;
}

if (import.meta.main) {
  const targetArg = process.argv.find((a) => a.startsWith("--target="))?.split("=")[1] as Target | undefined;
  const started = performance.now();
  const outfile = await buildBinary({ target: targetArg });
  const size = Bun.file(new URL(`../${outfile}`, import.meta.url).pathname).size;
  console.error(`built ${outfile} (${(size / 1048576).toFixed(1)} MiB) in ${Math.round(performance.now() - started)} ms`);
  // The binary embeds this IIFE at /sdk/v1.js; its budget is also enforced by test/sdk/size.test.ts.
  const { gzipBytes } = await buildSdk();
  console.error(`sdk /sdk/v1.js: gzip ${gzipBytes} B (budget ${SDK_GZIP_BUDGET} B)`);
  if (gzipBytes > SDK_GZIP_BUDGET) process.exit(1);
}
