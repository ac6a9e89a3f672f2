// Unit tests: name/email/password rules, identifier classification, JWT pinning, the lockout ladder.
import { describe, expect, test } from "bun:test";
import { classifyIdentifier, isAcceptablePassword, isValidEmail, nameProblem, normaliseName } from "./rules.ts";
import { signJwt, verifyJwt } from "./jwt.ts";
import { lockDurationMs } from "./lockout.ts";

describe("rules", () => {
  test("names", () => {
    expect(normaliseName(" ALICE.Test ", "test")).toBe("alice");
    expect(nameProblem("alice", "test")).toBeUndefined();
    expect(nameProblem("admin", "test")).toBe("Handle is reserved");
    expect(nameProblem("admin", "test", { allowReserved: true })).toBeUndefined();
    expect(nameProblem("a".repeat(30), "test")).toBeUndefined();
  });
  test("passwords count code points and categories", () => {
    expect(isAcceptablePassword("alllowercase 123")).toBe(true);
    expect(isAcceptablePassword("alllowercase123")).toBe(false);
    expect(isAcceptablePassword("ééééééééé1A")).toBe(true);
    expect(isAcceptablePassword("Aa1" + "😀".repeat(125))).toBe(true);
    expect(isAcceptablePassword("Aa1" + "😀".repeat(126))).toBe(false);
  });
  test("emails", () => {
    expect(isValidEmail("a.b+c@sub.example.org")).toBe(true);
    for (const bad of ["a@b", "@x.org", "a@x..org", "a@-x.org", "a@x-.org", "a(b)@x.org"]) expect(isValidEmail(bad)).toBe(false);
  });
  test("identifiers", () => {
    expect(classifyIdentifier("Bob@X.org", "test")).toEqual({ kind: "email", value: "bob@x.org" });
    expect(classifyIdentifier("did:plc:abc", "test").kind).toBe("did");
    expect(classifyIdentifier("bob.test", "test")).toEqual({ kind: "name", value: "bob" });
    expect(classifyIdentifier("bob", "test")).toEqual({ kind: "name", value: "bob" });
    expect(classifyIdentifier("bob.example.com", "test").kind).toBe("externalHandle");
    expect(classifyIdentifier("x".repeat(321), "test").kind).toBe("none");
  });
});

describe("jwt", () => {
  const claims = { scope: "com.atproto.access", sub: "did:plc:x", aud: "did:web:a", iat: 1, exp: 2_000_000_000, jti: "j", sid: "s" };
  test("round trip, alg pinning, tamper, expiry", () => {
    const t = signJwt("k", "at+jwt", claims);
    expect(verifyJwt("k", t)).toEqual({ ok: true, typ: "at+jwt", claims });
    expect(verifyJwt("other", t)).toEqual({ ok: false, reason: "signature" });
    const [h, b, s] = t.split(".");
    const none = Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt" })).toString("base64url");
    expect(verifyJwt("k", `${none}.${b}.`)).toEqual({ ok: false, reason: "alg" });
    const tampered = Buffer.from(JSON.stringify({ ...claims, sub: "did:plc:y" })).toString("base64url");
    expect(verifyJwt("k", `${h}.${tampered}.${s}`)).toEqual({ ok: false, reason: "signature" });
    expect(verifyJwt("k", signJwt("k", "at+jwt", { ...claims, exp: 10 }), 11)).toEqual({ ok: false, reason: "expired" });
    expect(verifyJwt("k", "a.b")).toEqual({ ok: false, reason: "malformed" });
  });
});

test("lockout ladder", () => {
  const m = 60_000;
  expect([4, 5, 6, 10, 15, 20, 24, 25, 30].map(lockDurationMs)).toEqual([undefined, m, undefined, 5 * m, 30 * m, 120 * m, undefined, 120 * m, 120 * m]);
});
