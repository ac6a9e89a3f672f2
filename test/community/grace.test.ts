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
  expect(s.row(active).status).toBe("active");

  const suspended = await s.community(owner, "gracesuspended");
  await ok(xrpc(s.pds.url, `${NS}.suspend`, { token: s.admin.token, body: { did: suspended, reason: "spam" } }));
  const taken = await ok(xrpc(s.pds.url, `${NS}.takedown`, { token: s.admin.token, body: { did: suspended } }));
  expect(taken.status).toBe("takendown");
});
