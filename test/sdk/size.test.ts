// The SDK's IIFE (served at /sdk/v1.js) stays within its gzip budget (spec 08 §5), and builds both formats.
import { expect, test } from "bun:test";
import { buildSdk, SDK_GZIP_BUDGET } from "../../sdk/build.ts";

test("minified + gzipped IIFE is at most 3072 bytes; ESM exports createClient", async () => {
  const { esm, iife, gzipBytes } = await buildSdk();
  console.error(`sdk gzip size: ${gzipBytes} B (budget ${SDK_GZIP_BUDGET} B)`);
  expect(SDK_GZIP_BUDGET).toBe(3072);
  expect(gzipBytes).toBeLessThanOrEqual(SDK_GZIP_BUDGET);
  expect(iife).toContain("openfederation:ready");
  expect(esm).toMatch(/export\s*\{[^}]*createClient/);
});
