// The atproto interop record-data vectors (spec 10 §7) through prepareRecord with the catalog lexicon registered:
// the 3 valid records are "valid", every one of the 50 invalid records is 400 InvalidRequest, nothing else thrown.
import { describe, expect, test } from "bun:test";
import type { LexiconDoc } from "@atproto/lexicon";
import catalog from "../fixtures/atproto/lexicon/catalog-record.json";
import valid from "../fixtures/atproto/lexicon/record-data-valid.json";
import invalid from "../fixtures/atproto/lexicon/record-data-invalid.json";
import { createLexiconRegistry } from "../../src/lexicon/registry.ts";
import { assertRkey, prepareRecord } from "../../src/repo/records.ts";
import { DomainError } from "../../src/errors.ts";

const registry = createLexiconRegistry([catalog as unknown as LexiconDoc]);
const COLLECTION = "example.lexicon.record";
type Vector = { name: string; rkey: string; data: Record<string, unknown> };

async function write(v: Vector) {
  assertRkey(registry, COLLECTION, v.rkey);
  return prepareRecord(registry, COLLECTION, v.data, true);
}

describe("record-data-valid", () => {
  expect((valid as Vector[]).length).toBe(3);
  for (const v of valid as Vector[]) {
    test(v.name, async () => {
      expect((await write(v)).validationStatus).toBe("valid");
    });
  }
});

describe("record-data-invalid", () => {
  expect((invalid as Vector[]).length).toBe(50);
  (invalid as Vector[]).forEach((v, i) => {
    test(`${i}: ${v.name}`, async () => {
      const err = await write(v).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).error).toBe("InvalidRequest");
    });
  });
});

test("the catalog's key type holds: rkey other than literal:demo → 400", () => {
  expect(() => assertRkey(registry, COLLECTION, "other")).toThrow(DomainError);
});
