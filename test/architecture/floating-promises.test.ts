// Every promise a statement creates is awaited, returned or voided: on PostgreSQL a forgotten await on a write runs it
// outside its transaction (scripts/check-promises.ts, the TypeScript checker over src, cmd, plc and tui).
import { expect, test } from "bun:test";
import { floatingPromises } from "../../scripts/check-promises.ts";

test("no floating promises in the product code", () => {
  expect(floatingPromises()).toEqual([]);
}, 120_000);
