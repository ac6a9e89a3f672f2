// Unit tests for op CIDs and genesis DID derivation against a published log entry.
import { expect, test } from "bun:test";
import { cidForOp, didForGenesis, isCanonicalOpCid } from "./encoding.ts";

const genesisOp = {
  sig: "9NuYV7AqwHVTc0YuWzNV3CJafsSZWH7qCxHRUIP2xWlB-YexXC1OaYAnUayiCXLVzRQ8WBXIqF-SvZdNalwcjA",
  prev: null,
  type: "plc_operation",
  services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: "https://bsky.social" } },
  alsoKnownAs: ["at://bluesky-team.bsky.social"],
  rotationKeys: [
    "did:key:zQ3shhCGUqDKjStzuDxPkTxN6ujddP4RkEKJJouJGRRkaLGbg",
    "did:key:zQ3shpKnbdPx3g3CmPf5cRVTPe1HtSwVn5ish3wSnDPQCbLJK",
  ],
  verificationMethods: { atproto: "did:key:zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF" },
};

test("CID and DID of a real genesis op (key order does not matter)", () => {
  expect(cidForOp(genesisOp)).toBe("bafyreigp6shzy6dlcxuowwoxz7u5nemdrkad2my5zwzpwilcnhih7bw6zm");
  expect(didForGenesis(genesisOp)).toBe("did:plc:z72i7hdynmk6r22z27h6tvur");
});

test("only canonical base32 dag-cbor sha256 CIDv1 strings are accepted as prev", () => {
  expect(isCanonicalOpCid("bafyreigp6shzy6dlcxuowwoxz7u5nemdrkad2my5zwzpwilcnhih7bw6zm")).toBe(true);
  expect(isCanonicalOpCid("BAFYREIGP6SHZY6DLCXUOWWOXZ7U5NEMDRKAD2MY5ZWZPWILCNHIH7BW6ZM")).toBe(false);
  expect(isCanonicalOpCid("bafyrei")).toBe(false);
  expect(isCanonicalOpCid("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG")).toBe(false);
});
