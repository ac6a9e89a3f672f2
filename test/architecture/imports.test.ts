// Layers hold: every import in cmd/, src/, plc/, tui/ and sdk/ points down the layer table in docs/architecture.md.
import { describe, expect, test } from "bun:test";
import { Glob } from "bun";
import { dirname, relative, resolve } from "node:path";
import { REPO } from "../_support/process.ts";

/**
 * The layer of each top-level module, lowest first. A file may import its own module and any module of a lower
 * or equal rank; never a higher one. Equal ranks may import each other (repo and blob share the write
 * transaction), except for the pairs in FORBIDDEN_PAIRS. Keep in step with docs/architecture.md.
 */
export const LAYERS: Record<string, number> = {
  // leaves: no imports but each other
  "src/errors": 0, "src/caller": 0, "src/util": 0, "src/version": 0, "src/lexicon-types": 0, lexicons: 0, "package.json": 0,
  // the browser SDK: self-contained (see SELF_CONTAINED); the server embeds its build output
  sdk: 0,
  // neutral infrastructure
  "src/config": 1, "src/db": 1, "src/jobs": 1, "src/ratelimit": 1, "src/lexicon": 1,
  // the did:plc directory's validation, shared by identity and `ofpds plc`
  plc: 2,
  // engines: repo, blobs, event log, identity, audit log, crawler notices
  "src/repo": 3, "src/blob": 3, "src/sequencer": 3, "src/identity": 3, "src/audit": 3, "src/crawler": 3,
  // domain services
  "src/names": 4, "src/account": 4, "src/community": 4, "src/firehose": 4, "src/moderation": 4, "src/partner": 4,
  "src/proxy": 4, "src/oauth": 4, "src/mail": 4,
  // staff operations across domains: the server configuration view, repo restore (06 §9)
  "src/admin": 4,
  // composition root: builds the services and the migration list
  "src/services": 5, "src/migrations": 5,
  // operator tools over the whole data set (doctor, backup/restore, keys rewrap) and the notes the server keeps for them
  "src/operator": 5,
  // the HTTP boundary: route table, handlers, and the context they receive
  "src/context": 6, "src/xrpc": 6, "src/api": 6,
  "src/server": 7,
  // faces
  cmd: 8, tui: 8,
};

/** Same-rank pairs that must not import each other (importer → imported). */
const FORBIDDEN_PAIRS: Array<[string, string, string]> = [
  ["src/account", "src/community", "accounts know nothing of communities; communities build on accounts"],
  ["src/repo", "src/identity", "the repo engine receives a signing-key function, not the identity service"],
];

/** Packages only the HTTP boundary may import (services are framework-free). */
const BOUNDARY_PACKAGES: Record<string, string[]> = {
  elysia: ["src/xrpc", "src/server", "plc"],
  // the database engines live behind src/db (issue 15): domains speak the Database contract only. The operator's
  // file-level SQLite backup and the did:plc directory's own store are the two other SQLite users.
  "bun:sqlite": ["src/db", "src/operator", "plc"],
  postgres: ["src/db"],
  "drizzle-orm/bun-sqlite": ["src/db"],
  "drizzle-orm/sqlite-proxy": ["src/db"],
};

/** The browser SDK ships with zero dependencies: it imports nothing outside sdk/. */
const SELF_CONTAINED = ["sdk"];

const SPECIFIERS = [/\bfrom\s+["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g, /^\s*import\s+["']([^"']+)["']/gm];

/** The module a repo-relative path belongs to: `src/<dir>` or `src/<file>` inside src, else its top folder. */
export function moduleOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] !== "src") return parts[0]!;
  return `src/${(parts[1] ?? "").replace(/\.tsx?$/, "")}`;
}

export interface Violation {
  file: string;
  specifier: string;
  why: string;
}

export function checkImports(files: Array<{ path: string; text: string }>): Violation[] {
  const out: Violation[] = [];
  for (const { path, text } of files) {
    const from = moduleOf(path);
    const rank = LAYERS[from];
    if (rank === undefined) {
      out.push({ file: path, specifier: "", why: `module ${from} has no layer in LAYERS (add it and to docs/architecture.md)` });
      continue;
    }
    for (const re of SPECIFIERS) {
      for (const m of text.matchAll(re)) {
        const spec = m[1]!;
        if (!spec.startsWith(".")) {
          const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
          const allowed = BOUNDARY_PACKAGES[spec] ?? BOUNDARY_PACKAGES[pkg];
          if (allowed && !allowed.includes(from)) out.push({ file: path, specifier: spec, why: `${BOUNDARY_PACKAGES[spec] ? spec : pkg} may only be imported by ${allowed.join(", ")}` });
          if (SELF_CONTAINED.includes(from) && !spec.startsWith("node:") && !spec.startsWith("bun")) {
            out.push({ file: path, specifier: spec, why: "the SDK has zero dependencies" });
          }
          continue;
        }
        const target = moduleOf(relative(REPO, resolve(dirname(resolve(REPO, path)), spec)));
        if (target === from) continue;
        if (SELF_CONTAINED.includes(from)) {
          out.push({ file: path, specifier: spec, why: "the SDK imports nothing outside sdk/" });
          continue;
        }
        const targetRank = LAYERS[target];
        if (targetRank === undefined) out.push({ file: path, specifier: spec, why: `imports ${target}, which has no layer` });
        else if (targetRank > rank) out.push({ file: path, specifier: spec, why: `${from} (layer ${rank}) imports ${target} (layer ${targetRank}), a higher layer` });
        for (const [a, b, why] of FORBIDDEN_PAIRS) if (from === a && target === b) out.push({ file: path, specifier: spec, why });
      }
    }
  }
  return out;
}

async function sources(): Promise<Array<{ path: string; text: string }>> {
  const files: Array<{ path: string; text: string }> = [];
  for (const path of new Glob("{src,cmd,tui,plc,sdk}/**/*.{ts,tsx}").scanSync(REPO)) {
    // unit tests beside the code may reach anything they exercise
    if (/\.test\.tsx?$/.test(path)) continue;
    files.push({ path, text: await Bun.file(resolve(REPO, path)).text() });
  }
  return files;
}

describe("layers", () => {
  test("no file imports a higher layer, a forbidden neighbour or a boundary-only package", async () => {
    const found = checkImports(await sources());
    expect(found.map((v) => `${v.file}: ${v.specifier} — ${v.why}`)).toEqual([]);
  });

  test("the checker catches each kind of violation (control rows)", () => {
    const found = checkImports([
      { path: "src/repo/x.ts", text: 'import { a } from "../community/gate.ts";' },
      { path: "src/db/x.ts", text: 'import type { M } from "../account/migrations.ts";' },
      { path: "src/community/x.ts", text: 'const m = await import("../xrpc/errors.ts");' },
      { path: "src/account/x.ts", text: 'import { b } from "../community/service.ts";' },
      { path: "src/account/y.ts", text: 'import { Elysia } from "elysia";' },
      { path: "sdk/x.ts", text: 'import { c } from "../src/errors.ts";' },
      { path: "src/newthing/x.ts", text: "" },
      { path: "src/blob/z.ts", text: 'import type { Database } from "bun:sqlite";' },
      // allowed: down, sideways at the same rank, own module, the leaf types
      { path: "src/community/ok.ts", text: 'import { a } from "../account/index.ts";\nimport { b } from "../repo/write.ts";\nimport { c } from "./gate.ts";\nimport type { T } from "../lexicon-types/index.ts";' },
      { path: "src/repo/ok.ts", text: 'import { r } from "../blob/refs.ts";\nimport { s } from "../db/sqlite.ts";' },
    ]);
    expect(found.map((v) => v.file)).toEqual(["src/repo/x.ts", "src/db/x.ts", "src/community/x.ts", "src/account/x.ts", "src/account/y.ts", "sdk/x.ts", "src/newthing/x.ts", "src/blob/z.ts"]);
  });
});
