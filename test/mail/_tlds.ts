// Test support: works around a Bun module-cache quirk. Once `@atproto/api` has imported the `tlds` JSON as an ES
// module (another test file in the same `bun test` process), `require("tlds")` returns that module's namespace
// ({default}) instead of the array, and mailparser's linkify-it then throws "No default value" while loading.
// Imported by ./_support.ts before mailparser: it puts the array itself back into the require cache.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const path = require.resolve("tlds");
const loaded = require(path) as unknown;
if (!Array.isArray(loaded) && Array.isArray((loaded as { default?: unknown })?.default)) {
  const entry = require.cache[path];
  if (entry) entry.exports = (loaded as { default: string[] }).default;
}
