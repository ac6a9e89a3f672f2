// The server's clock: wall time, or in --dev the wall time plus an offset a test suite writes to a file.
import { readFileSync } from "node:fs";

/** Milliseconds since the epoch, like Date.now. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/**
 * OFPDS_DEV_CLOCK_FILE (dev only): the file holds an integer offset in milliseconds. It is re-read on every
 * reading, so a test that writes a larger offset and then sends a request sees the new time at once (no
 * watcher to race). A missing file counts as 0; an unreadable value keeps the last good offset.
 */
export function offsetFileClock(path: string): Clock {
  let offset = 0;
  return () => {
    let text: string | undefined;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      text = "0"; // not written yet
    }
    const n = Number(text.trim());
    if (Number.isSafeInteger(n)) offset = n;
    return Date.now() + offset;
  };
}

/** The clock a server runs on for this config. */
export function serverClock(config: { dev: boolean; devClockFile?: string | undefined }): Clock {
  return config.dev && config.devClockFile ? offsetFileClock(config.devClockFile) : systemClock;
}
