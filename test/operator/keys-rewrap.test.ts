// `ofpds keys rewrap` on a real data set: refused while the server runs, with a wrong or the same old secret (nothing
// changed); then every key rewrapped, the server starts and signs with the new secret and refuses (78) the old one.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, runCli, tempDirs } from "../_support/process.ts";
import { openTestDatabase } from "../_support/db.ts";
import { startPds, type RunningPds } from "../_support/pds.ts";
import { adminEnv, adminToken, createPost, registerApproved } from "../firehose/_support.ts";
import { ok, xrpc } from "../e2e/_xrpc.ts";

setDefaultTimeout(90_000);
const dir = tempDirs("ofpds-rewrap-");
let dataDir: string;
let pds: RunningPds | undefined;
let oldSecret: string;
const NEW_SECRET = "n".repeat(20) + crypto.randomUUID().replace(/-/g, "");

/** identity_keys and outbox ciphertexts, hashed: what must not change on a refusal. */
async function ciphertexts(): Promise<string[]> {
  const db = await openTestDatabase(dataDir);
  try {
    const rows = await db.raw.all<{ did: string; purpose: string; ciphertext: Uint8Array }>("SELECT did, purpose, ciphertext FROM identity_keys ORDER BY did, purpose");
    return rows.map((r) => `${r.did} ${r.purpose} ${createHash("sha256").update(r.ciphertext).digest("hex")}`);
  } finally {
    await db.close();
  }
}
const secretFile = (content: string) => {
  const p = join(dir(), "secret");
  writeFileSync(p, content + "\n", { mode: 0o600 });
  return p;
};
const rewrap = (file: string | undefined, env: Record<string, string> = {}) =>
  runCli(["keys", "rewrap", "--dev", "--data-dir", dataDir, "--json", ...(file ? ["--old-secret-file", file] : [])], { env });

beforeAll(async () => {
  dataDir = join(dir(), "data");
  pds = await startPds(adminEnv(), { dataDir });
  const admin = await adminToken(pds.url);
  const alice = await registerApproved(pds.url, admin, "alice");
  await createPost(pds.url, alice, "p1");
  oldSecret = (JSON.parse(readFileSync(join(dataDir, "secrets.json"), "utf8")) as { KEY_ENCRYPTION_SECRET: string }).KEY_ENCRYPTION_SECRET;
});
afterAll(async () => {
  await pds?.stop();
});

test("while the server holds the lock → exit 1 DataDirLocked, nothing changed", async () => {
  const before = await ciphertexts();
  const r = await rewrap(secretFile(oldSecret), { KEY_ENCRYPTION_SECRET: NEW_SECRET });
  expect(r.code).toBe(1);
  expect(JSON.parse(r.stderr)).toMatchObject({ error: "DataDirLocked", exitCode: 1 });
  expect(await ciphertexts()).toEqual(before);
  expect(await pds!.stop()).toBe(0);
  pds = undefined;
});

test("no --old-secret-file → 2; a wrong old secret → 2 WrongOldSecret; the same secret → 2 SameSecret; nothing changed", async () => {
  const before = await ciphertexts();
  const missing = await rewrap(undefined, { KEY_ENCRYPTION_SECRET: NEW_SECRET });
  expect(missing.code).toBe(2);
  expect(JSON.parse(missing.stderr).message).toContain("--old-secret-file");
  const wrong = await rewrap(secretFile("w".repeat(48)), { KEY_ENCRYPTION_SECRET: NEW_SECRET });
  expect(wrong.code).toBe(2);
  expect(JSON.parse(wrong.stderr)).toMatchObject({ error: "WrongOldSecret", exitCode: 2 });
  expect(JSON.parse(wrong.stderr).message).toContain("nothing was changed");
  const same = await rewrap(secretFile(oldSecret));
  expect(same.code).toBe(2);
  expect(JSON.parse(same.stderr)).toMatchObject({ error: "SameSecret" });
  expect(await ciphertexts()).toEqual(before);
});

test("rewrap → every ciphertext replaced; the server starts and signs with the new secret, refuses the old (78); a second rewrap → 5", async () => {
  const before = await ciphertexts();
  const r = await rewrap(secretFile(oldSecret), { KEY_ENCRYPTION_SECRET: NEW_SECRET });
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out).toEqual({ identityKeys: before.length, tombstoneOutbox: 0 });
  const after = await ciphertexts();
  expect(after.length).toBe(before.length);
  for (let i = 0; i < after.length; i++) {
    expect(after[i]!.split(" ").slice(0, 2)).toEqual(before[i]!.split(" ").slice(0, 2));
    expect(after[i]).not.toBe(before[i]);
  }

  const started = await startPds({ ...adminEnv(), KEY_ENCRYPTION_SECRET: NEW_SECRET }, { dataDir });
  try {
    const session = await ok(xrpc(started.url, "com.atproto.server.createSession", { body: { identifier: "alice", password: "Pw-alice-2026-long" } }));
    // a write signs a commit with alice's signing key, decrypted under the new secret
    await createPost(started.url, { did: session.did, token: session.accessJwt }, "after-rewrap");
  } finally {
    expect(await started.stop()).toBe(0);
  }
  // (a start may add installation keys of its own, under the new secret)
  const settled = await ciphertexts();

  // the old secret (the dev secrets.json still holds it) no longer opens the keys: serve refuses with 78
  const port = await freePort();
  const refused = await runCli(["serve", "--dev", "--data-dir", dataDir, "--port", String(port)], { env: { PLC_PORT: String(await freePort()) } });
  expect(refused.code).toBe(78);
  expect(refused.stderr).toContain("KEY_ENCRYPTION_SECRET does not match this data directory");

  const again = await rewrap(secretFile(oldSecret), { KEY_ENCRYPTION_SECRET: NEW_SECRET });
  expect(again.code).toBe(5);
  expect(JSON.parse(again.stderr)).toMatchObject({ error: "AlreadyRewrapped", exitCode: 5 });
  expect(await ciphertexts()).toEqual(settled);
});
