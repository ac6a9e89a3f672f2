// Unit tests for the job scheduler: runs on demand, never overlaps a job with itself, survives failures.
import { expect, test } from "bun:test";
import { JobScheduler } from "./scheduler.ts";
import { silentLogger } from "../util/logger.ts";

test("a job never overlaps itself; a failing run does not stop later runs", async () => {
  const s = new JobScheduler(silentLogger);
  let active = 0;
  let maxActive = 0;
  let runs = 0;
  let fail = true;
  // the run stays open until the test releases it, so the three runNow calls below overlap for certain
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  s.add({
    name: "slow",
    intervalMs: 60_000,
    async run() {
      active++;
      maxActive = Math.max(maxActive, active);
      await gate;
      active--;
      runs++;
      if (fail) {
        fail = false;
        throw new Error("first run fails");
      }
    },
  });
  const three = Promise.all([s.runNow("slow"), s.runNow("slow"), s.runNow("slow")]);
  release();
  await three;
  expect(maxActive).toBe(1);
  expect(runs).toBe(1);
  await s.runNow("slow");
  expect(runs).toBe(2);
  await s.stop();
});

test("registering a name twice is a programming error", () => {
  const s = new JobScheduler(silentLogger);
  s.add({ name: "a", intervalMs: 1000, run() {} });
  expect(() => s.add({ name: "a", intervalMs: 1000, run() {} })).toThrow("registered twice");
});

/** Timers the test fires by hand: intervals are recorded, never scheduled. */
function manualTimers() {
  const intervals = new Map<number, { fn: () => void; ms: number }>();
  let next = 0;
  return {
    intervals,
    timers: {
      setInterval: (fn: () => void, ms: number) => (intervals.set(++next, { fn, ms }), next),
      clearInterval: (h: unknown) => void intervals.delete(h as number),
    },
  };
}

test("a runAtStart job runs once when the scheduler starts, then on each tick of its interval", async () => {
  const { intervals, timers } = manualTimers();
  const s = new JobScheduler(silentLogger, timers);
  let runs = 0;
  s.add({ name: "catch-up", intervalMs: 60_000, runAtStart: true, run: () => void runs++ });
  s.add({ name: "later", intervalMs: 5_000, run: () => {} });
  expect(runs).toBe(0);
  s.start();
  expect(runs).toBe(1); // a job's run() is entered synchronously by the start-up tick
  await s.runNow("catch-up"); // joins that run (still under way at this point), so it adds none
  expect(runs).toBe(1);
  expect([...intervals.values()].map((i) => i.ms)).toEqual([60_000, 5_000]);
  intervals.get(1)!.fn();
  await s.runNow("later");
  await s.stop();
  expect(runs).toBe(2);
  expect(intervals.size).toBe(0); // stop clears every timer
});
