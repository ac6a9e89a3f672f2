// The lexicon registry: embedded AT Protocol documents, our lexicons/ index, the error overlay.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { LexiconDoc } from "@atproto/lexicon";
import overlay from "../../lexicons/overlay/com.atproto.errors.json" with { type: "json" };
import { ofpdsLexicons } from "../../lexicons/index.ts";
import { ROUTES } from "../xrpc/routes.ts";
import { applyErrorOverlay, type ErrorOverlay } from "./overlay.ts";
import { ATPROTO_LEXICONS, createLexiconRegistry } from "./registry.ts";

const LEXICON_DIR = new URL("../../lexicons/", import.meta.url).pathname;

function jsonFilesUnder(dir: string): string[] {
  // git keeps no empty folders: a fresh clone has no lexicons/net/ until the first lexicon is added.
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsonFilesUnder(join(dir, e.name)) : e.name.endsWith(".json") ? [join(dir, e.name)] : [],
  );
}

describe("registry", () => {
  test("embeds every com.atproto.* lexicon and the Bluesky record lexicons with the documents they reference", () => {
    const ids = ATPROTO_LEXICONS.map((d) => d.id);
    expect(ids).toContain("com.atproto.server.describeServer");
    expect(ids).toContain("com.atproto.sync.subscribeRepos");
    expect(new Set(ids).size).toBe(ids.length);
    const records = ATPROTO_LEXICONS.filter((d) => !d.id.startsWith("com.atproto.") && d.defs.main?.type === "record").map((d): string => d.id);
    // spec 10 §7: the 20 record types of @atproto/api 0.21.0 (19 app.bsky.*, chat.bsky.actor.declaration)
    expect(records.length).toBe(20);
    for (const id of ["app.bsky.actor.profile", "app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.graph.follow", "chat.bsky.actor.declaration"]) {
      expect(records).toContain(id);
    }
    expect(ids).toContain("com.atproto.lexicon.schema");
    expect(ids).toContain("app.bsky.actor.getPreferences");
    expect(ids).toContain("app.bsky.actor.putPreferences");
    // only records, their referenced documents and the preference methods: no other app.bsky/chat.bsky methods
    const methods = ATPROTO_LEXICONS.filter((d) => !d.id.startsWith("com.atproto.") && ["query", "procedure", "subscription"].includes(d.defs.main?.type ?? ""));
    expect(methods.map((d) => d.id).sort()).toEqual(["app.bsky.actor.getPreferences", "app.bsky.actor.putPreferences"]);
    expect(ids.filter((id) => !/^(com\.atproto|app\.bsky|chat\.bsky)\./.test(id))).toEqual([]);
  });

  test("every ref in the registry resolves (no dangling app.bsky.* references)", () => {
    const reg = createLexiconRegistry();
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o.type === "ref" && typeof o.ref === "string") refs.push(o.ref);
        if (o.type === "union" && Array.isArray(o.refs)) refs.push(...(o.refs as string[]));
        Object.values(o).forEach(walk);
      }
    };
    for (const d of [...ATPROTO_LEXICONS, ...ofpdsLexicons]) walk(reg.lexicons.get(d.id));
    expect(refs.filter((r) => !reg.lexicons.getDef(r))).toEqual([]);
  });

  test("every route has a method lexicon", () => {
    const reg = createLexiconRegistry();
    for (const r of ROUTES) expect(reg.method(r.nsid)).toBeDefined();
  });

  test("the overlay's extra errors are merged into the method lexicons", () => {
    const reg = createLexiconRegistry();
    for (const [nsid, errors] of Object.entries(overlay)) {
      if (nsid.startsWith("$")) continue;
      const names = ((reg.method(nsid) as { errors?: { name: string }[] }).errors ?? []).map((e) => e.name);
      for (const e of errors as { name: string }[]) expect(names).toContain(e.name);
    }
  });
});

describe("lexicons/ directory", () => {
  test("lexicons/index.ts imports every net.openfederation JSON file, and each id matches its path", () => {
    const files = jsonFilesUnder(join(LEXICON_DIR, "net"));
    const expectedIds = files.map((f) => relative(LEXICON_DIR, f).replace(/\.json$/, "").split("/").join("."));
    expect(ofpdsLexicons.map((d): string => d.id).sort()).toEqual(expectedIds.sort());
    for (const d of ofpdsLexicons) expect(d.id).toStartWith("net.openfederation.");
  });
});

describe("applyErrorOverlay", () => {
  const docs = (): LexiconDoc[] => [
    { lexicon: 1, id: "com.example.a.get", defs: { main: { type: "query", errors: [{ name: "Gone" }] } } },
    { lexicon: 1, id: "com.example.a.defs", defs: { thing: { type: "string" } } },
  ];

  test("adds new names once and leaves inputs untouched", () => {
    const input = docs();
    const out = applyErrorOverlay(input, { $comment: "x", "com.example.a.get": [{ name: "Gone" }, { name: "Suspended" }] } as ErrorOverlay);
    const main = out.find((d) => d.id === "com.example.a.get")!.defs.main as { errors: { name: string }[] };
    expect(main.errors.map((e) => e.name)).toEqual(["Gone", "Suspended"]);
    expect((input[0]!.defs.main as { errors: unknown[] }).errors).toHaveLength(1);
  });

  test.each([["com.example.missing"], ["com.example.a.defs"]])("an overlay entry for %s (not a method) is a build error", (nsid) => {
    expect(() => applyErrorOverlay(docs(), { [nsid]: [{ name: "X" }] })).toThrow(/not a known method/);
  });
});
