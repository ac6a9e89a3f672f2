// Validation module: strict net.openfederation inputs vs open com.atproto inputs, param decoding.
import { describe, expect, test } from "bun:test";
import type { LexiconDoc } from "@atproto/lexicon";
import fixtures from "../../test/xrpc/fixtures/net.openfederation.test.json" with { type: "json" };
import { createLexiconRegistry } from "../lexicon/registry.ts";
import { checkOutput, decodeQueryParams, validateJsonInput } from "./validation.ts";

const registry = createLexiconRegistry(fixtures as unknown as LexiconDoc[]);
const ECHO = "net.openfederation.test.echo";

describe("validateJsonInput", () => {
  test.each([
    [{ text: "a", extra: 1 }, "Input/extra"],
    [{ text: "a", settings: { loud: true, colour: 1 } }, "Input/settings/colour"],
    [{ text: "a", tags: [{ name: "x", $type: "y" }] }, "Input/tags/0/$type"],
  ])("strict method rejects %p naming %s", (input, field) => {
    expect(() => validateJsonInput(registry, ECHO, input)).toThrow(`${field} is not a declared field`);
  });

  test("strict method accepts declared fields", () => {
    expect(validateJsonInput(registry, ECHO, { text: "a", settings: {}, tags: [] })).toEqual({ text: "a", settings: {}, tags: [] });
  });

  test("com.atproto input ignores unknown fields", () => {
    const input = { identifier: "alice", password: "pw", notInLexicon: true };
    expect(validateJsonInput(registry, "com.atproto.server.createSession", input)).toMatchObject({ identifier: "alice" });
  });

  test("com.atproto input still enforces the lexicon", () => {
    expect(() => validateJsonInput(registry, "com.atproto.server.createSession", { identifier: "alice" })).toThrow(/password/);
  });
});

describe("decodeQueryParams", () => {
  const def = registry.method("net.openfederation.test.list")!;
  test.each([
    ["limit=5&flag=true&ids=a&ids=b&nums=3", { limit: 5, flag: true, ids: ["a", "b"], nums: [3] }],
    ["limit=-1", { limit: -1 }],
    // spec 10 §8: empty values are absent
    ["limit=&flag=&ids=", {}],
    ["ids=&ids=a", { ids: ["a"] }],
  ])("%s", (qs, expected) => expect(decodeQueryParams("net.openfederation.test.list", def, new URLSearchParams(qs))).toEqual(expected));

  test.each(["limit=1.5", "limit=1e3", "flag=1", "flag=TRUE", "nums=a"])("%s is rejected", (qs) => {
    expect(() => decodeQueryParams("net.openfederation.test.list", def, new URLSearchParams(qs))).toThrow();
  });

  test("com.atproto methods drop undeclared params", () => {
    const d = registry.method("com.atproto.sync.listRepos")!;
    expect(decodeQueryParams("com.atproto.sync.listRepos", d, new URLSearchParams("limit=10&x=1"))).toEqual({ limit: 10 });
  });
});

describe("checkOutput", () => {
  test("strict outputs reject undeclared fields", () => {
    expect(() => checkOutput(registry, ECHO, { text: "a", leak: "b" })).toThrow(/Output\/leak/);
    expect(() => checkOutput(registry, ECHO, { text: "a" })).not.toThrow();
  });
});
