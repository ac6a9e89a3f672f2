// TAKEDOWN_EXPORT_GRACE_DAYS (06 §2): without an owner export, a takedown needs the community suspended that long.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ok, xrpc } from "../e2e/_xrpc.ts";
import { NS, setup, type Setup } from "./moderation-setup.ts";

let s: Setup;
beforeAll(async () => {
  s = await setup({ TAKEDOWN_EXPORT_GRACE_DAYS: "0" });
});
afterAll(async () => {
  await s?.stop();
});

test("with a grace of 0 days, a suspended community can be taken down without an owner export; an active one cannot", async () => {
  const owner = await s.register("gina");
  const active = await s.community(owner, "graceactive");
  const refused = await xrpc(s.pds.url, `${NS}.takedown`, { token: s.admin.token, body: { did: active } });
  expect([refused.status, refused.body.error]).toEqual([409, "ExportRequired"]);
  expect((await s.row(active)).status).toBe("active");

  const suspended = await s.community(owner, "gracesuspended");
  await ok(xrpc(s.pds.url, `${NS}.suspend`, { token: s.admin.token, body: { did: suspended, reason: "spam" } }));
  const taken = await ok(xrpc(s.pds.url, `${NS}.takedown`, { token: s.admin.token, body: { did: suspended } }));
  expect(taken.status).toBe("takendown");
});

test("with the default 14 days, the server's clock decides: 14 days less an hour → 409; past 14 days → 200 (no owner export)", async () => {
  const fourteen = await setup();
  try {
    const owner = await fourteen.register("gwen");
    const did = await fourteen.community(owner, "gracefourteen");
    await ok(xrpc(fourteen.pds.url, `${NS}.suspend`, { token: fourteen.admin.token, body: { did, reason: "spam" } }));
    // days pass on the server's clock, so the admin's 15-minute access token expires too: sign in again each time
    const takedown = async () => {
      const s = await ok(xrpc(fourteen.pds.url, "com.atproto.server.createSession", { body: { identifier: fourteen.admin.handle, password: fourteen.admin.password } }));
      return xrpc(fourteen.pds.url, `${NS}.takedown`, { token: s.accessJwt, body: { did } });
    };
    fourteen.pds.advanceClock(14 * 86_400_000 - 3_600_000);
    const early = await takedown();
    expect([early.status, early.body.error]).toEqual([409, "ExportRequired"]);
    expect((await fourteen.row(did)).status).toBe("suspended");
    fourteen.pds.advanceClock(2 * 3_600_000);
    expect((await ok(takedown())).status).toBe("takendown");
    expect((await fourteen.row(did)).status).toBe("takendown");
  } finally {
    await fourteen.stop();
  }
});
