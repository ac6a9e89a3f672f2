// src/lexicon-types/generated.ts is what scripts/gen-lexicon-types.ts makes of the current lexicons (no build step needed to typecheck).
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { LexiconDoc } from "@atproto/lexicon";
import { GENERATED_PATH, generate, generateCurrent } from "../scripts/gen-lexicon-types.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const API = join(ROOT, "src/api");
const tsFilesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFilesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
/** src/api/com/atproto/repo/getRecord.ts → com.atproto.repo.getRecord */
const nsidOfPath = (file: string) => relative(API, file).replace(/\.ts$/, "").split("/").join(".");

const doc = (defs: Record<string, unknown>): LexiconDoc => ({ lexicon: 1, id: "net.openfederation.test.thing", defs }) as LexiconDoc;
const query = (props: Record<string, unknown>, required: string[] = []) =>
  doc({
    main: {
      type: "query",
      parameters: { type: "params", properties: { limit: { type: "integer", default: 50 } } },
      output: { encoding: "application/json", schema: { type: "object", required, properties: props } },
    },
    item: { type: "object", properties: { n: { type: "integer" } } },
  });

describe("generated lexicon types", () => {
  test("the checked-in file is up to date (run `bun scripts/gen-lexicon-types.ts` after editing a lexicon)", async () => {
    expect(readFileSync(GENERATED_PATH, "utf8")).toBe(await generateCurrent());
  });

  test("fields, required, enums, refs and defaults are rendered from the lexicon", () => {
    const out = generate([query({ status: { type: "string", enum: ["a", "b"] }, items: { type: "array", items: { type: "ref", ref: "#item" } }, note: { type: "string" } }, ["status", "items"])], []);
    expect(out).toContain("export declare namespace NetOpenfederationTestThing {");
    expect(out).toContain('    status: "a" | "b";');
    expect(out).toContain("    items: Array<Item>;");
    expect(out).toContain("    note?: string;");
    expect(out).toContain('    defaulted: "limit";');
    expect(out).toContain("  export type Item = {\n    n?: number;\n  };");
  });

  test("a lexicon edit changes the output, so a stale file fails the freshness test", () => {
    const before = generate([query({ a: { type: "string" } })], []);
    const after = generate([query({ a: { type: "string" }, b: { type: "boolean" } })], []);
    expect(after).not.toBe(before);
    expect(after).toContain("    b?: boolean;");
  });

  test("an unresolvable ref or an unsupported type is a generator error, not a silent `any`", () => {
    expect(() => generate([query({ x: { type: "ref", ref: "#missing" } })], [])).toThrow(/unresolved ref #missing/);
    expect(() => generate([query({ x: { type: "float" } })], [])).toThrow(/"float" is not supported/);
  });
});

describe("handlers are typed by their own method", () => {
  test("a handler's MethodArgs/MethodResult name the NSID of its file (a copied handler cannot keep another method's types)", () => {
    const wrong: string[] = [];
    for (const file of tsFilesUnder(API)) {
      for (const m of readFileSync(file, "utf8").matchAll(/Method(?:Args|Result)<"([^"]+)"/g)) {
        if (m[1] !== nsidOfPath(file)) wrong.push(`${relative(ROOT, file)}: ${m[0]}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("every route's handler comes from the file of its NSID", () => {
    // the table is joined from one part per domain (src/xrpc/routes/*.ts); each part imports its own handlers
    const parts = readdirSync(join(ROOT, "src/xrpc/routes")).filter((f) => f.endsWith(".ts")).map((f) => readFileSync(join(ROOT, "src/xrpc/routes", f), "utf8"));
    const wrong: string[] = [];
    let count = 0;
    for (const src of parts) {
      const fileOf = new Map([...src.matchAll(/import \* as (\w+) from "\.\.\/\.\.\/api\/([^"]+)\.ts"/g)].map((m) => [m[1]!, m[2]!.split("/").join(".")]));
      const routes = [...src.matchAll(/\{ nsid: "([^"]+)", handler: (\w+)\.handler/g)];
      count += routes.length;
      wrong.push(...routes.filter((r) => fileOf.get(r[2]!) !== r[1]).map((r) => `${r[1]} -> ${r[2]}`));
    }
    expect(count).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  });
});
