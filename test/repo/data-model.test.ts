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

// spec 10 §7: blessed CIDs, exact blob shape, legacy blobs refused except on import
const RAW_CID = "bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity";
const CBOR_CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm";
const V0_CID = "QmPZ9gcCEpqKTo6aq61g2nXGUhM4iCL3ewB6LDXZCtioEB";
const DAG_PB_V1 = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
const blob = (extra: Record<string, unknown> = {}) => ({ $type: "blob", ref: { $link: RAW_CID }, mimeType: "image/png", size: 10, ...extra });
const refused: Array<[string, unknown]> = [
  ["$link CIDv0", { a: { $link: V0_CID } }],
  ["$link dag-pb CIDv1", { a: { $link: DAG_PB_V1 } }],
  ["blob size 0", { b: blob({ size: 0 }) }],
  ["blob with an extra key", { b: blob({ alt: "x" }) }],
  ["blob ref a CIDv0", { b: blob({ ref: { $link: V0_CID } }) }],
  ["blob ref a dag-pb CIDv1", { b: blob({ ref: { $link: DAG_PB_V1 } }) }],
  ["blob without mimeType", { b: { $type: "blob", ref: { $link: RAW_CID }, size: 10 } }],
  ["legacy blob", { b: { cid: RAW_CID, mimeType: "image/png" } }],
  ["legacy blob nested in an array", { list: [{ img: { cid: RAW_CID, mimeType: "image/png" } }] }],
  ["integer beyond 2^53-1", { n: 2 ** 53 }],
];
for (const [name, v] of refused) {
  test(`refused: ${name}`, () => {
    expect(() => assertDataModel(v)).toThrow(DomainError);
  });
}
test("accepted: dag-cbor and raw $link, an exact blob (raw or dag-cbor ref), {cid, mimeType} with a non-CID cid, legacy blobs with legacyBlobs", () => {
  expect(() => assertDataModel({ a: { $link: CBOR_CID }, r: { $link: RAW_CID }, b: blob(), c: blob({ ref: { $link: CBOR_CID } }), n: 2 ** 53 - 1, m: -(2 ** 53 - 1) })).not.toThrow();
  expect(() => assertDataModel({ x: { cid: "not a cid", mimeType: "text/plain" } })).not.toThrow();
  expect(() => assertDataModel({ b: { cid: RAW_CID, mimeType: "image/png" } }, "record", { legacyBlobs: true })).not.toThrow();
});
test("the message names the path", () => {
  expect(() => assertDataModel({ list: [{ img: { cid: RAW_CID, mimeType: "image/png" } }] })).toThrow("record.list[0].img");
});
