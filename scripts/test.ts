// The whole test suite: build the binary, run `bun test` against it on SQLite and then on PostgreSQL (when one answers),
// print one "N passed, N failed" line per engine and a total.
import postgres from "postgres";
import { buildBinary } from "./build.ts";

const repo = new URL("../", import.meta.url).pathname;
const started = performance.now();
const outfile = await buildBinary();
console.error(`built ${outfile} in ${Math.round(performance.now() - started)} ms`);
const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

interface Pass {
  engine: string;
  code: number;
  passed: number;
  failed: number;
  skipped: number;
}

async function runPass(engine: "sqlite" | "postgres"): Promise<Pass> {
  // --timeout here, not in bunfig.toml: Bun ignores bunfig's [test] timeout (oven-sh/bun#7789) and would use 5 s, which
  // process-spawning e2e tests exceed on a loaded 2-core machine
  const proc = Bun.spawn([process.execPath, "test", "--timeout", "60000", ...process.argv.slice(2)], {
    cwd: repo,
    env: { ...process.env, OFPDS_BIN: `${repo}${outfile}`, OFPDS_TEST_DB: engine, TEST_DATABASE_URL: testDatabaseUrl },
    stdout: "inherit",
    stderr: "pipe",
  });
  let tail = "";
  for await (const chunk of proc.stderr as unknown as AsyncIterable<Uint8Array>) {
    const text = new TextDecoder().decode(chunk);
    process.stderr.write(text);
    tail = (tail + text).slice(-4000);
  }
  const code = await proc.exited;
  const count = (word: string) => Number(new RegExp(`^\\s*(\\d+) ${word}$`, "m").exec(tail)?.[1] ?? 0);
  const pass = { engine, code, passed: count("pass"), failed: count("fail"), skipped: count("skip") };
  console.log(line(pass));
  return pass;
}

const line = (p: Pass) => `${p.engine}: ${p.passed} passed, ${p.failed} failed${p.skipped ? `, ${p.skipped} skipped` : ""}`;

/** The PostgreSQL pass runs when a server answers; test databases left by a killed run are dropped after it. */
async function withPostgres<T>(fn: () => Promise<T>): Promise<T | undefined> {
  const sql = postgres(testDatabaseUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
  } catch (err) {
    console.log(`postgres: not reachable at ${new URL(testDatabaseUrl).host} (${(err as Error).message}); PostgreSQL pass skipped`);
    await sql.end({ timeout: 1 }).catch(() => {});
    return undefined;
  }
  try {
    return await fn();
  } finally {
    for (const { datname } of await sql`SELECT datname FROM pg_database WHERE datname LIKE 'ofpds\\_t\\_%'`) {
      await sql.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => {});
    }
    await sql.end({ timeout: 1 });
  }
}

const passes: Pass[] = [await runPass("sqlite")];
if (process.env.OFPDS_TEST_ENGINES !== "sqlite") {
  const pg = await withPostgres(() => runPass("postgres"));
  if (pg) passes.push(pg);
}
for (const p of passes) console.log(line(p));
const total = passes.reduce((t, p) => ({ passed: t.passed + p.passed, failed: t.failed + p.failed, skipped: t.skipped + p.skipped }), { passed: 0, failed: 0, skipped: 0 });
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(passes.some((p) => p.code !== 0 || p.failed > 0 || p.passed === 0) ? 1 : 0);
