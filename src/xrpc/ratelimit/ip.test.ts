// CIDR matching and client-IP extraction, table-driven.
import { describe, expect, test } from "bun:test";
import { cidrMatcher, clientIp, parseCidr, parseIp } from "./ip.ts";

describe("parseIp", () => {
  test.each([
    ["1.2.3.4", "1,2,3,4"],
    ["::1", "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1"],
    ["::ffff:1.2.3.4", "1,2,3,4"],
    ["::ffff:102:304", "1,2,3,4"],
    ["[2001:db8::1]", "32,1,13,184,0,0,0,0,0,0,0,0,0,0,0,1"],
    ["fe80::1%eth0", "254,128,0,0,0,0,0,0,0,0,0,0,0,0,0,1"],
  ])("%s", (ip, bytes) => expect(Array.from(parseIp(ip)!).join(",")).toBe(bytes));

  test.each(["", "1.2.3", "1.2.3.256", "1.2.3.4.5", "a.b.c.d", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "gggg::"])(
    "rejects %p",
    (ip) => expect(parseIp(ip)).toBeUndefined(),
  );
});

describe("CIDR matching", () => {
  test.each([
    ["127.0.0.0/8", "127.0.0.1", true],
    ["127.0.0.0/8", "128.0.0.1", false],
    ["10.1.2.3", "10.1.2.3", true],
    ["10.1.2.3", "10.1.2.4", false],
    ["192.168.0.0/23", "192.168.1.255", true],
    ["192.168.0.0/23", "192.168.2.0", false],
    ["0.0.0.0/0", "8.8.8.8", true],
    ["0.0.0.0/0", "::1", false],
    ["::1/128", "::1", true],
    ["::1/128", "127.0.0.1", false],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["2001:db8::/33", "2001:db8:8000::1", false],
    ["fc00::/7", "fd12:3456::1", true],
    ["::/0", "2001:db8::1", true],
    ["127.0.0.0/8", "::ffff:127.0.0.1", true],
    ["::ffff:10.0.0.0/104", "10.9.9.9", true],
  ] as const)("%s contains %s → %p", (cidr, ip, expected) => expect(cidrMatcher([cidr])(ip)).toBe(expected));

  test.each(["10.0.0.0/33", "::/129", "10.0.0.0/x", "nonsense", "10.0.0.0/8/8"])("%p is a config error", (c) =>
    expect(() => parseCidr(c)).toThrow(),
  );

  test("empty list matches nothing", () => expect(cidrMatcher([])("127.0.0.1")).toBe(false));
});

describe("clientIp", () => {
  test.each([
    // socket, X-Forwarded-For, trustProxy, expected
    ["127.0.0.1", null, 0, "127.0.0.1"],
    ["127.0.0.1", "1.1.1.1", 0, "127.0.0.1"],
    ["127.0.0.1", "1.1.1.1", 1, "1.1.1.1"],
    ["127.0.0.1", "6.6.6.6, 1.1.1.1", 1, "1.1.1.1"],
    ["127.0.0.1", "6.6.6.6, 1.1.1.1, 10.0.0.1", 2, "1.1.1.1"],
    ["127.0.0.1", "1.1.1.1", 3, "1.1.1.1"],
    ["127.0.0.1", "garbage", 1, "127.0.0.1"],
    ["127.0.0.1", "", 1, "127.0.0.1"],
    ["::ffff:127.0.0.1", null, 0, "127.0.0.1"],
    ["::1", "2001:DB8::1", 1, "2001:db8:0:0:0:0:0:1"],
    [undefined, null, 0, "unknown"],
  ] as const)("socket %p xff %p trust %p → %p", (socket, xff, trust, expected) =>
    expect(clientIp(socket, xff, trust)).toBe(expected),
  );
});
