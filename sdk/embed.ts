// Bun macro (import it `with { type: "macro" }`): the minified IIFE of /sdk/v1.js, inlined into the server at
// transpile/bundle time so the compiled binary serves it without sdk/ on disk. Built in a child process so the
// outer Bun.build (the binary) never nests another Bun.build in-process.
export function sdkIife(): string {
  const script = new URL("./build.ts", import.meta.url).pathname;
  const res = Bun.spawnSync([process.execPath, script, "--print-iife"], { stdout: "pipe", stderr: "pipe", env: { ...process.env, BUN_BE_BUN: "1" } });
  if (!res.success) throw new Error(`building the SDK IIFE failed: ${res.stderr.toString()}`);
  return res.stdout.toString();
}
