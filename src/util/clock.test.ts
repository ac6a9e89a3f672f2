// The server clock: an offset file moves it, only in --dev; production always runs on the wall clock.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildConfig } from "../config/build.ts";
import { offsetFileClock, serverClock, systemClock } from "./clock.ts";

const withFile = (run: (file: string) => void) => {
  const dir = mkdtempSync(join(tmpdir(), "ofpds-clock-unit-"));
  try {
    run(join(dir, "offset-ms"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
const HOUR = 3_600_000;

describe("offsetFileClock", () => {
  test("missing file → wall time; each reading re-reads the offset; a bad value keeps the last good one", () => {
    withFile((file) => {
      const clock = offsetFileClock(file);
      expect(Math.abs(clock() - Date.now())).toBeLessThan(HOUR);
      writeFileSync(file, String(48 * HOUR));
      expect(clock() - Date.now()).toBeGreaterThan(47 * HOUR);
      writeFileSync(file, "soon");
      expect(clock() - Date.now()).toBeGreaterThan(47 * HOUR);
      writeFileSync(file, "0\n");
      expect(Math.abs(clock() - Date.now())).toBeLessThan(HOUR);
    });
  });
});

describe("serverClock", () => {
  test("OFPDS_DEV_CLOCK_FILE moves a --dev server's clock", () => {
    withFile((file) => {
      writeFileSync(file, String(48 * HOUR));
      const { config } = buildConfig({ OFPDS_DEV_CLOCK_FILE: file }, { dev: true });
      expect(config.devClockFile).toBe(file);
      expect(serverClock(config)() - Date.now()).toBeGreaterThan(47 * HOUR);
    });
  });

  test("without --dev the setting is dropped and the server runs on the wall clock", () => {
    withFile((file) => {
      writeFileSync(file, String(48 * HOUR));
      const { config } = buildConfig({ OFPDS_DEV_CLOCK_FILE: file, AUTH_JWT_SECRET: "x".repeat(40), PDS_HOSTNAME: "pds.example.org", HANDLE_DOMAIN: "example.org" });
      expect(config.dev).toBe(false);
      expect(config.devClockFile).toBeUndefined();
      expect(serverClock(config)).toBe(systemClock);
      expect(serverClock({ dev: false, devClockFile: file })).toBe(systemClock);
    });
  });
});
