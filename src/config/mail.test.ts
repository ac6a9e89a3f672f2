// Unit tests of the mailer settings (10 §5.1): EMAIL_FROM mailboxes, SMTP_URL schemes, refusals without the URL's password.
import { describe, expect, test } from "bun:test";
import { mailboxAddress, mailConfig, smtpDefaultPort } from "./mail.ts";

const reader = (raw: Record<string, string>) => ({ problems: [] as string[], str: (n: string) => raw[n] });

describe("mailboxAddress", () => {
  test.each([
    ['"Example PDS" <noreply@pds.example.org>', "noreply@pds.example.org"],
    ["Example PDS <noreply@pds.example.org>", "noreply@pds.example.org"],
    ["noreply@pds.example.org", "noreply@pds.example.org"],
    ["nobody", undefined],
    ["<nobody>", undefined],
    ["a@b", undefined],
    ['"x" <a@b.c> extra', undefined],
  ])("%s → %s", (input, out) => expect(mailboxAddress(input)).toBe(out));
});

describe("mailConfig", () => {
  test("no SMTP_URL: --dev writes files with a default sender, elsewhere no mailer", () => {
    expect(mailConfig(reader({}), undefined, true, "localhost")).toEqual({ mode: "files", from: '"ofpds" <noreply@localhost>' });
    expect(mailConfig(reader({}), undefined, false, "pds.example.org").mode).toBe("none");
  });
  test("SMTP_URL with EMAIL_FROM → smtp, the host kept for display", () => {
    const r = reader({ EMAIL_FROM: "noreply@pds.example.org" });
    expect(mailConfig(r, "smtps://u:p@mail.example.org", false, "pds.example.org")).toEqual({ mode: "smtp", from: "noreply@pds.example.org", smtpHost: "mail.example.org" });
    expect(r.problems).toEqual([]);
  });
  test.each([
    ["no EMAIL_FROM", "smtp://u:secret-pw@mail.example.org", {}, "EMAIL_FROM is required when SMTP_URL is set"],
    ["another scheme", "http://u:secret-pw@mail.example.org", { EMAIL_FROM: "a@b.c" }, "SMTP_URL must be smtp://"],
    ["not a URL", "secret-pw", { EMAIL_FROM: "a@b.c" }, "SMTP_URL must be smtp://"],
    ["a bad EMAIL_FROM", "smtp://mail.example.org", { EMAIL_FROM: "nobody" }, "EMAIL_FROM must be an address"],
  ])("%s is a problem that never repeats the URL", (_n, url, raw, message) => {
    const r = reader(raw as Record<string, string>);
    mailConfig(r, url, true, "localhost");
    expect(r.problems.join(" ")).toContain(message);
    expect(r.problems.join(" ")).not.toContain("secret-pw");
  });
  test("default ports: 465 for smtps, 587 for smtp", () => {
    expect([smtpDefaultPort("smtps:"), smtpDefaultPort("smtp:")]).toEqual([465, 587]);
  });
});
