// PostgreSQL start-up and outage (issue 15): unreachable or unknown databases, a newer schema, and a server that
// loses its database mid-run (503 ServiceUnavailable, nothing half-written) and recovers when it returns.
import { afterAll, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { readdirSync } from "node:fs";
import { freePort, runCli, tempDir } from "../_support/process.ts";
import { startPds } from "../_support/pds.ts";
import { databaseUrlFor, onPostgres, TEST_DATABASE_URL } from "../_support/db.ts";
import { call, ok } from "../_support/xrpc.ts";
import postgres from "postgres";

const root = tempDir("ofpds-pgstart-");
afterAll(() => root.cleanup());
let n = 0;
const dir = () => `${root.path}/d${n++}`;

/** A TCP relay to the real PostgreSQL that a test can cut and restore, as a network outage would. */
async function relay(): Promise<{ port: number; cut(): void; restore(): void; stop(): void }> {
  const target = new URL(TEST_DATABASE_URL);
  const port = await freePort();
  const open = new Set<Socket>();
  let up = true;
  const server = Bun.listen<{ peer?: Socket; pending: Buffer[] }>({
    hostname: "127.0.0.1",
    port,
    socket: {
      open(client) {
        client.data = { pending: [] };
        if (!up) return void client.end();
        const peer = connect(Number(target.port || 5432), target.hostname);
        open.add(peer);
        client.data.peer = peer;
        peer.on("connect", () => {
          for (const b of client.data.pending) peer.write(b);
          client.data.pending = [];
        });
        peer.on("data", (d) => client.write(d));
        peer.on("close", () => {
          open.delete(peer);
          client.end();
        });
        peer.on("error", () => client.end());
      },
      data(client, d) {
        const peer = client.data.peer!;
        if (peer.connecting) client.data.pending.push(Buffer.from(d));
        else peer.write(d);
      },
      close(client) {
        client.data.peer?.destroy();
      },
    },
  });
  return {
    port,
    cut() {
      up = false;
      for (const s of open) s.destroy();
    },
    restore() {
      up = true;
    },
    stop() {
      server.stop(true);
      for (const s of open) s.destroy();
    },
  };
}

describe.skipIf(!onPostgres)("PostgreSQL start-up", () => {
  test("an unreachable server is retried for DB_CONNECT_TIMEOUT, then one line naming the host (never the password), exit 1", async () => {
    const closed = await freePort();
    const r = await runCli(["serve", "--dev", "--data-dir", dir(), "--port", "0"], {
      env: { DATABASE_URL: `postgres://ofpds:Sup3r-secret-pw@127.0.0.1:${closed}/ofpds`, DB_CONNECT_TIMEOUT: "2s", PLC_PORT: "0" },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot connect to PostgreSQL at postgres://ofpds@127.0.0.1:${closed}/ofpds`);
    expect(r.stderr + r.stdout).not.toContain("Sup3r-secret-pw");
    expect(r.stderr.trim().split("\n").filter((l) => l.includes("PostgreSQL")).length).toBe(1);
  });

  test("an unknown database fails at once (no retry): exit 1 naming it", async () => {
    const u = new URL(TEST_DATABASE_URL);
    u.pathname = "/ofpds_t_does_not_exist";
    u.password = "another-Secret-9";
    const r = await runCli(["serve", "--dev", "--data-dir", dir(), "--port", "0"], { env: { DATABASE_URL: u.toString(), PLC_PORT: "0" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ofpds_t_does_not_exist");
    expect(r.stderr).toContain("3D000");
    expect(r.stderr).not.toContain("another-Secret-9");
  });

  test("two servers without CLUSTER_MODE on one database: the second exits 1 naming the database, the first keeps serving", async () => {
    const url = databaseUrlFor(dir());
    const first = await startPds({ DATABASE_URL: url, PDS_SERVICE_URL: "http://localhost:2583" }, { dataDir: dir() });
    try {
      const r = await runCli(["serve", "--dev", "--data-dir", dir(), "--port", "0"], { env: { DATABASE_URL: url, PDS_SERVICE_URL: "http://localhost:2583", PLC_PORT: "0" } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("is already using the database postgres://");
      expect((await fetch(`${first.url}/xrpc/_health`)).status).toBe(200);
    } finally {
      await first.stop();
    }
  });

  test("a database with a newer schema than the binary → exit 78, as for SQLite", async () => {
    const d = dir();
    const url = databaseUrlFor(d);
    const pds = await startPds({ DATABASE_URL: url }, { dataDir: d });
    await pds.stop();
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    await sql`INSERT INTO _migrations (id, name, applied_at) VALUES (9999, 'future', 'now')`;
    await sql.end();
    const r = await runCli(["serve", "--dev", "--data-dir", d, "--port", "0"], { env: { DATABASE_URL: url, PLC_PORT: "0" } });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain("newer than this ofpds binary supports");
  });
});

describe.skipIf(!onPostgres)("PostgreSQL going away mid-run", () => {
  test("requests answer 503 ServiceUnavailable and write nothing; the server recovers when the database returns", async () => {
    const d = dir();
    const url = new URL(databaseUrlFor(d));
    const r = await relay();
    url.host = `127.0.0.1:${r.port}`;
    const pds = await startPds({ DATABASE_URL: url.toString(), INVITE_REQUIRED: "false", APPROVAL_REQUIRED: "false", RATE_LIMITS_ENABLED: "false" }, { dataDir: d });
    try {
      const acct = await ok(call(pds.url, "com.atproto.server.createAccount", { body: { handle: "outage.test", email: "o@example.org", password: "Outage-password-1" } }));
      const post = (text: string) => call(pds.url, "com.atproto.repo.createRecord", { token: acct.accessJwt, body: { repo: acct.did, collection: "com.example.note", record: { $type: "com.example.note", text } } });
      await ok(post("before"));
      r.cut();
      const during = await post("during");
      expect(during.status).toBe(503);
      expect(during.body.error).toBe("ServiceUnavailable");
      r.restore();
      let after = await post("after");
      for (let i = 0; i < 20 && after.status !== 200; i++) after = await post("after");
      expect(after.status).toBe(200);
      const list = await ok(call(pds.url, "com.atproto.repo.listRecords", { params: { repo: acct.did, collection: "com.example.note" } }));
      expect(list.records.map((x: { value: { text: string } }) => x.value.text).sort()).toEqual(["after", "before"]);
      // every row lives in PostgreSQL: the data dir holds no server database file
      expect(readdirSync(d).filter((f) => f.startsWith("ofpds.sqlite"))).toEqual([]);
    } finally {
      await pds.stop();
      r.stop();
    }
  }, 60_000);
});
