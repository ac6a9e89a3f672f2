// `ofpds plc`, `plc import` and `plc verify` through the real binary: serve, locks, reports, exit codes.
import { describe, expect, test } from "bun:test";
import { Database as SqliteDatabase } from "bun:sqlite";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Secp256k1Keypair } from "@atproto/crypto";
import * as plc from "@did-plc/lib";
import { freePort, runCli, spawnOfpds, tempDirs, waitFor } from "./_support/process.ts";

const VECTORS = new URL("./fixtures/plc/audit_log/", import.meta.url).pathname;
const dir = tempDirs("ofpds-plccli-");

async function startPlc(dataDir: string) {
  const port = await freePort();
  const { proc, logs, drained } = spawnOfpds(["plc", "--port", String(port), "--data-dir", dataDir]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/_health`)).ok, 20_000, "ofpds plc");
  return { url, proc, logs, drained };
}

describe("ofpds plc (the directory process)", () => {
  test("serves, verifies signatures off-thread, refuses a second process, shuts down cleanly", async () => {
    const dataDir = dir();
    const server = await startPlc(dataDir);
    try {
      const key = await Secp256k1Keypair.create();
      const { op, did } = await plc.createOp({ signingKey: key.did(), handle: "alice.test", pds: "https://pds.example.org", rotationKeys: [key.did()], signer: key });
      const post = await fetch(`${server.url}/${did}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(op) });
      expect(post.status).toBe(200);
      const doc = (await (await fetch(`${server.url}/${did}`)).json()) as { id: string; alsoKnownAs: string[] };
      expect(doc).toMatchObject({ id: did, alsoKnownAs: ["at://alice.test"] });

      const second = await runCli(["plc", "--port", String(await freePort()), "--data-dir", dataDir]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain("already using the data directory");
      const importWhileRunning = await runCli(["plc", "import", join(VECTORS, "valid/log_tombstone.json"), "--data-dir", dataDir]);
      expect(importWhileRunning.code).toBe(1);
    } finally {
      server.proc.kill("SIGTERM");
      expect(await server.proc.exited).toBe(0);
    }
    // every log line is in once stderr closes: the worker verified the signature (no main-thread fallback)
    await server.drained;
    expect(server.logs()).toContain('"msg"');
    expect(server.logs()).not.toContain("signature worker unavailable");
  });
});

describe("ofpds plc import / verify", () => {
  test("every valid vector imports whole; verify passes", async () => {
    const dataDir = dir();
    for (const file of readdirSync(join(VECTORS, "valid"))) {
      const log = JSON.parse(await Bun.file(join(VECTORS, "valid", file)).text()) as unknown[];
      const r = await runCli(["plc", "import", join(VECTORS, "valid", file), "--data-dir", dataDir, "--json"]);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.rejected).toEqual([]);
      expect(report.accepted).toBe(log.length);
    }
    const verify = await runCli(["plc", "verify", "--data-dir", dataDir, "--json"]);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ dids: readdirSync(join(VECTORS, "valid")).length, mismatches: [] });
  });

  test("an invalid vector is reported op by op; a tampered database fails verify with exit 1", async () => {
    const dataDir = dir();
    const r = await runCli(["plc", "import", join(VECTORS, "invalid/log_invalid_sig_der.json"), "--data-dir", dataDir, "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.rejected).toHaveLength(1);
    expect(report.rejected[0].message).toStartWith("Invalid signature on op");

    const ok = await runCli(["plc", "import", join(VECTORS, "valid/log_tombstone.json"), "--data-dir", dataDir, "--json"]);
    expect(JSON.parse(ok.stdout).rejected).toEqual([]);
    const db = new SqliteDatabase(join(dataDir, "plc.sqlite"));
    db.run(`UPDATE plc_ops SET op_json = replace(op_json, '"sig":"', '"sig":"AA') WHERE seq = (SELECT max(seq) FROM plc_ops)`);
    db.close();
    const verify = await runCli(["plc", "verify", "--data-dir", dataDir, "--json"]);
    expect(verify.code).toBe(1);
    expect(JSON.parse(verify.stdout).mismatches.length).toBeGreaterThan(0);
    expect(JSON.parse(verify.stderr.trim().split("\n").pop()!)).toMatchObject({ error: "VerifyFailed", exitCode: 1 });
  });

  test("a missing file is exit 4; a missing argument is exit 2", async () => {
    const dataDir = dir();
    expect((await runCli(["plc", "import", "/nonexistent.json", "--data-dir", dataDir])).code).toBe(4);
    expect((await runCli(["plc", "import", "--data-dir", dataDir])).code).toBe(2);
  });
});
