// The checkout stands alone: no source, script or test reaches a path outside it (../shared, /work/...).
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { REPO } from "../_support/process.ts";

const ROOTS = ["test", "src", "scripts", "cmd", "tui", "plc", "sdk", "bench", ".ci"];
const TOP_FILES = ["package.json", "bunfig.toml", "tsconfig.json"];
const TEXT = /\.(ts|tsx|js|mjs|cjs|json|sh|toml)$|^run$/;
// Copied data sets are inert; the scanner reads code and config only.
const SKIP_DIRS = new Set(["node_modules", "fixtures"]);
const SELF = relative(REPO, import.meta.path);

/** Literal spellings of a path outside the checkout. */
const OUTSIDE: Array<[RegExp, string]> = [
  [/(?<![\w.-])(?:\.\.[\\/])+shared(?![\w-])/, "a ../shared path"],
  [/["'`]\.\.["'`]\s*,\s*["'`]shared["'`]/, 'a "..", "shared" path join'],
  [/(?<![\w.~:/-])\/work(?:\/|["'`])/, "an absolute /work path"],
];

/** Relative specifiers resolved against the file: imports, requires, and new URL(x, import.meta.url). */
const RELATIVE = [
  /\bfrom\s+["'](\.{1,2}\/[^"']*)["']/g,
  /\bimport\s*\(\s*["'](\.{1,2}\/[^"']*)["']/g,
  /\brequire\s*\(\s*["'](\.{1,2}\/[^"']*)["']/g,
  /new URL\(\s*["'`](\.{1,2}\/[^"'`$]*)["'`]\s*,\s*import\.meta\.url/g,
];

export interface Finding {
  file: string;
  line: number;
  why: string;
  text: string;
}

/** Every place in `source` (the file at `file`, relative to `repo`) that reaches outside `repo`. */
export function scanSource(repo: string, file: string, source: string): Finding[] {
  const found: Finding[] = [];
  const lines = source.split("\n");
  lines.forEach((text, i) => {
    for (const [pattern, why] of OUTSIDE) if (pattern.test(text)) found.push({ file, line: i + 1, why, text: text.trim() });
    for (const pattern of RELATIVE) {
      for (const m of text.matchAll(pattern)) {
        const target = resolve(dirname(join(repo, file)), m[1]!);
        const rel = relative(repo, target);
        if (rel === ".." || rel.startsWith("../")) found.push({ file, line: i + 1, why: `${m[1]} resolves outside the checkout`, text: text.trim() });
      }
    }
  });
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(join(REPO, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(REPO, path)).isDirectory()) return SKIP_DIRS.has(name) ? [] : filesUnder(path);
    return TEXT.test(name) ? [path] : [];
  });
}

describe("the checkout is self-contained", () => {
  test("the scanner flags each way out of the checkout and leaves in-tree paths alone", () => {
    const repo = "/srv/checkout";
    const flagged = (file: string, src: string) => scanSource(repo, file, src).map((f) => f.why);
    expect(flagged("test/a.test.ts", `const V = new URL("../../shared/vectors/plc", import.meta.url);`)).toEqual([
      "a ../shared path",
      "../../shared/vectors/plc resolves outside the checkout",
    ]);
    expect(flagged("test/a.ts", `import x from "../../../shared/x.json" with { type: "json" };`)).toContain("a ../shared path");
    expect(flagged("scripts/a.ts", `readFileSync(join(REPO, "..", "shared", "spec"))`)).toEqual(['a "..", "shared" path join']);
    expect(flagged("src/a.ts", `const p = "/work/shared/vectors";`)).toEqual(["an absolute /work path"]);
    expect(flagged("src/x/a.ts", `import { y } from "../../../elsewhere/y.ts";`)).toEqual(["../../../elsewhere/y.ts resolves outside the checkout"]);
    expect(flagged("test/a.ts", `const u = new URL("../../outside.json", import.meta.url);`)).toEqual(["../../outside.json resolves outside the checkout"]);
    // In-tree look-alikes are not findings.
    expect(flagged("test/x/a.ts", `import { c } from "../../cmd/_shared/client.ts";`)).toEqual([]);
    expect(flagged("test/a.ts", `const v = new URL("./fixtures/plc/audit_log/", import.meta.url);`)).toEqual([]);
    expect(flagged("src/a.ts", `const u = "https://example.com/work/x"; const d = "~/work/x";`)).toEqual([]);
  });

  test("no file in test/, src/, scripts/, cmd/, tui/, plc/, sdk/, bench/, .ci/ or the top-level config reaches outside", () => {
    const files = [...ROOTS.flatMap(filesUnder), ...TOP_FILES].filter((f) => f !== SELF);
    expect(files).toContain("test/plc/vectors.test.ts"); // the walk really covers the suite
    const findings = files.flatMap((file) => scanSource(REPO, file, readFileSync(join(REPO, file), "utf8")));
    expect(findings.map((f) => `${f.file}:${f.line}: ${f.why}: ${f.text}`)).toEqual([]);
  });
});
