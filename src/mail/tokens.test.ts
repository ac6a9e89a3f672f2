// Unit tests of the email token format (10 §5.2) and the SMTP transport options (10 §5.1).
import { describe, expect, test } from "bun:test";
import { newToken, normaliseToken } from "./tokens.ts";
import { smtpTransport } from "./mailer.ts";

describe("tokens", () => {
  test("XXXXX-XXXXX of A-Z2-7, different each time", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = newToken();
      expect(t).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/);
      seen.add(t);
    }
    expect(seen.size).toBe(200);
  });
  test.each([
    ["ABCDE-23456", "ABCDE23456"],
    [" abcde-23456 ", "ABCDE23456"],
    ["abcde23456", "ABCDE23456"],
    ["ABCDE-2345", undefined],
    ["ABCDE-23451", undefined],
    ["ABCD-E23456", undefined],
    ["", undefined],
  ])("normalise %p → %p", (input, out) => expect(normaliseToken(input)).toBe(out));
});

describe("smtpTransport", () => {
  const options = (url: string) => (smtpTransport(url) as unknown as { options: Record<string, any> }).options;
  test("smtp:// to a remote host requires STARTTLS, verifies certificates, decodes the credentials", () => {
    const o = options("smtp://user%40x:p%3Ass@mail.example.org");
    expect(o).toMatchObject({ host: "mail.example.org", port: 587, secure: false, requireTLS: true, auth: { user: "user@x", pass: "p:ss" } });
    expect(o.tls.rejectUnauthorized).toBe(true);
  });
  test("smtp:// to loopback may stay plain; smtps:// is TLS on 465", () => {
    expect(options("smtp://127.0.0.1:2525")).toMatchObject({ port: 2525, requireTLS: false, auth: undefined });
    expect(options("smtps://mail.example.org")).toMatchObject({ port: 465, secure: true, requireTLS: false });
  });
});
