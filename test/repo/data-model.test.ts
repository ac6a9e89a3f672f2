// The AT data model checker (src/repo/data-model.ts) against the atproto interop vectors in test/fixtures.
import { expect, test } from "bun:test";
import invalid from "../fixtures/atproto/data-model/data-model-invalid.json";
import valid from "../fixtures/atproto/data-model/data-model-valid.json";
import { assertDataModel } from "../../src/repo/data-model.ts";
import { DomainError } from "../../src/errors.ts";

for (const c of invalid as Array<{ note: string; json: unknown }>) {
  if (typeof c.json !== "object") continue; // "top-level not an object": refused by prepareRecord itself (Record must be an object)
  test(`invalid vector refused: ${c.note}`, () => {
    let err: unknown;
    try {
      assertDataModel(c.json);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).error).toBe("InvalidRequest");
  });
}
for (const c of valid as Array<{ note: string; json: unknown }>) {
  test(`valid vector accepted: ${c.note}`, () => {
    expect(() => assertDataModel(c.json)).not.toThrow();
  });
}
test("more cases: $link notacid, bad base64, nested float, negative blob size", () => {
  for (const v of [{ a: { $link: "notacid" } }, { a: { $bytes: "not base64!" } }, { a: [{ b: 1.5 }] }, { b: { $type: "blob", ref: { $link: "bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity" }, mimeType: "image/png", size: -1 } }]) {
    expect(() => assertDataModel(v)).toThrow(DomainError);
  }
});
