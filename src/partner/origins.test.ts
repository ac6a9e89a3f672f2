// Unit table for partner origin normalisation (06 §7), in development and in production.
import { expect, test } from "bun:test";
import { normaliseOrigin } from "./origins.ts";

const ok = (v: string, dev: boolean) => {
  const r = normaliseOrigin(v, dev);
  return r.ok ? r.origin : `✗ ${r.problem}`;
};

test.each([
  ["https://game.example.com", "https://game.example.com"],
  ["HTTPS://Game.Example.COM", "https://game.example.com"],
  ["https://game.example.com:443", "https://game.example.com"],
  ["https://game.example.com/", "https://game.example.com"],
  ["https://game.example.com:8443", "https://game.example.com:8443"],
  ["https://bücher.example", "https://xn--bcher-kva.example"],
  ["https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443"],
])("accepted: %s → %s (dev and production)", (input, want) => {
  expect(ok(input, false)).toBe(want);
  expect(ok(input, true)).toBe(want);
});

test.each(["http://localhost:3000", "http://LOCALHOST:80", "http://127.0.0.1:5173", "http://[::1]:8080"])("http loopback only in development: %s", (input) => {
  expect(ok(input, true)).not.toStartWith("✗");
  expect(ok(input, false)).toBe("✗ must use https");
});

test("http://localhost:80 drops the default port", () => expect(ok("http://localhost:80", true)).toBe("http://localhost"));

test.each([
  "http://game.example.com", "https://game.example.com/path", "https://game.example.com?q=1", "https://game.example.com#f",
  "https://u:p@game.example.com", "game.example.com", "ftp://game.example.com", "*", "null", "https://", "https://*.example.com",
  "https://game.example.com:99999", "https:game.example.com", "https://game.example.com.", " https://a.example.com//",
  "https://a.example.com\\@b.example.com",
])("refused in development and production: %s", (input) => {
  expect(ok(input, true)).toStartWith("✗");
  expect(ok(input, false)).toStartWith("✗");
});
