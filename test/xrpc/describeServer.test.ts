// com.atproto.server.describeServer: output per config, validated against its lexicon.
import { afterEach, describe, expect, test } from "bun:test";
import type { Config } from "../../src/config/types.ts";
import { createLexiconRegistry } from "../../src/lexicon/registry.ts";
import { startApp, type TestApp } from "./_app.ts";

const registry = createLexiconRegistry();
let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const cases: Array<[string, Partial<Config>, Record<string, unknown>]> = [
  [
    "minimal",
    { inviteRequired: false },
    { did: "did:web:pds.test.example", availableUserDomains: [".pds.test.example"], inviteCodeRequired: false },
  ],
  [
    "with policies and contact",
    {
      handleDomain: "users.example.org",
      inviteRequired: true,
      privacyPolicyUrl: "https://example.org/privacy",
      termsOfServiceUrl: "https://example.org/tos",
      contactEmail: "admin@example.org",
    },
    {
      did: "did:web:pds.test.example",
      availableUserDomains: [".users.example.org"],
      inviteCodeRequired: true,
      links: { privacyPolicy: "https://example.org/privacy", termsOfService: "https://example.org/tos" },
      contact: { email: "admin@example.org" },
    },
  ],
  [
    "only terms",
    { termsOfServiceUrl: "https://example.org/tos" },
    {
      did: "did:web:pds.test.example",
      availableUserDomains: [".pds.test.example"],
      inviteCodeRequired: true,
      links: { termsOfService: "https://example.org/tos" },
    },
  ],
];

describe("describeServer", () => {
  test.each(cases)("%s", async (_name, config, expected) => {
    app = await startApp({ config });
    const res = await fetch(app.url + "/xrpc/com.atproto.server.describeServer");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = await res.json();
    expect(body).toEqual(expected);
    expect(() => registry.lexicons.assertValidXrpcOutput("com.atproto.server.describeServer", body)).not.toThrow();
  });
});
