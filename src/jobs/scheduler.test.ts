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
  s.add({
    name: "slow",
    intervalMs: 60_000,
    async run() {
      active++;
      maxActive = Math.max(maxActive, active);
      await Bun.sleep(20);
      active--;
      runs++;
      if (fail) {
        fail = false;
        throw new Error("first run fails");
      }
    },
  });
  await Promise.all([s.runNow("slow"), s.runNow("slow"), s.runNow("slow")]);
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

test("a runAtStart job runs once when the scheduler starts, then on its interval", async () => {
  const s = new JobScheduler(silentLogger);
  let runs = 0;
  s.add({ name: "catch-up", intervalMs: 60_000, runAtStart: true, run: () => void runs++ });
  expect(runs).toBe(0);
  s.start();
  await Bun.sleep(10);
  expect(runs).toBe(1);
  await s.stop();
});
