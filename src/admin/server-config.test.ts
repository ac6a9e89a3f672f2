// Units of the getConfig view: URLs shown without credentials, durations in the setting's own form.
import { describe, expect, test } from "bun:test";
import { durationSetting, withoutCredentials } from "./server-config.ts";

describe("withoutCredentials", () => {
  test.each([
    ["https://plc.directory", "https://plc.directory"],
    ["https://user:s3cret@relay.example/path?q=1", "https://relay.example/path?q=1"],
    ["https://token@relay.example", "https://relay.example"],
    ["https://relay.example/", "https://relay.example/"],
    ["http://a:b@localhost:2582", "http://localhost:2582"],
    ["not a url//user:pw@host", "not a url//host"],
  ])("%s → %s", (input, expected) => {
    expect(withoutCredentials(input)).toBe(expected);
  });
});

describe("durationSetting", () => {
  test.each([
    [15 * 60_000, "15m"],
    [30 * 86_400_000, "30d"],
    [2 * 3_600_000, "2h"],
    [90 * 60_000, "90m"],
    [61_000, "61s"],
  ])("%d ms → %s", (ms, expected) => {
    expect(durationSetting(ms)).toBe(expected);
  });
});
