// Unit test: the per-DID lock runs callers for one DID one at a time, in order, and frees its entry.
import { expect, test } from "bun:test";
import { createMemoryDidLock } from "./lock.ts";

test("same DID serialised FIFO, other DIDs independent, errors do not wedge the queue", async () => {
  const lock = createMemoryDidLock();
  const order: string[] = [];
  const slow = (tag: string, ms: number) => async () => {
    order.push(`${tag}:start`);
    await Bun.sleep(ms);
    order.push(`${tag}:end`);
  };
  const a1 = lock.withLock("a", slow("a1", 20));
  const a2 = lock.withLock("a", async () => {
    throw new Error("boom");
  });
  const a3 = lock.withLock("a", slow("a3", 1));
  const b1 = lock.withLock("b", slow("b1", 1));
  await Promise.allSettled([a1, a2, a3, b1]);
  expect(order.indexOf("a1:end")).toBeLessThan(order.indexOf("a3:start"));
  expect(order.indexOf("b1:end")).toBeLessThan(order.indexOf("a1:end"));
  await expect(a2).rejects.toThrow("boom");
});
