// The whole test suite: build the binary, run `bun test` against it, print one "N passed, N failed" line.
import { buildBinary } from "./build.ts";

const repo = new URL("../", import.meta.url).pathname;
const started = performance.now();
const outfile = await buildBinary();
console.error(`built ${outfile} in ${Math.round(performance.now() - started)} ms`);

// --timeout here, not in bunfig.toml: Bun ignores bunfig's [test] timeout (oven-sh/bun#7789) and would use 5 s, which
// process-spawning e2e tests exceed on a loaded 2-core machine
const proc = Bun.spawn([process.execPath, "test", "--timeout", "60000", ...process.argv.slice(2)], {
  cwd: repo,
  env: { ...process.env, OFPDS_BIN: `${repo}${outfile}` },
  stdout: "inherit",
  stderr: "pipe",
});
let tail = "";
for await (const chunk of proc.stderr as unknown as AsyncIterable<Uint8Array>) {
  const text = new TextDecoder().decode(chunk);
  process.stderr.write(text);
  tail = (tail + text).slice(-4000);
}
const code = await proc.exited;
const count = (word: string) => Number(new RegExp(`^\\s*(\\d+) ${word}$`, "m").exec(tail)?.[1] ?? 0);
const passed = count("pass");
const failed = count("fail");
const skipped = count("skip");
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(code !== 0 ? code : failed > 0 || passed === 0 ? 1 : 0);
