// requestAccountDelete / server.deleteAccount (T15) and requestPlcOperationSignature / signPlcOperation (10 §5.3) on a
// real `serve --dev`: the mailed token works once, wrong ones change nothing, an owner gets 409 with the token kept, the
// signed operation is accepted by the embedded PLC directory, app-password sessions get 400 "Bad token scope".
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as dagCbor from "@ipld/dag-cbor";
import { Secp256k1Keypair } from "@atproto/crypto";
import { approvedUser, call, ok, PASSWORD, startEnv, uniq, type Env } from "../account/_support.ts";
import { emlFiles, newEml, tokenIn, type Mail } from "./_support.ts";

const S = "com.atproto.server";
const ID = "com.atproto.identity";
const NS = "net.openfederation.community";
let e: Env;
beforeAll(async () => {
  e = await startEnv();
});
afterAll(async () => {
  await e?.stop();
});

type User = Awaited<ReturnType<typeof approvedUser>>;
const n = async (q: string, ...args: unknown[]) => (await e.sql<{ n: number }>(q, ...args))[0]!.n;
const tokenRows = async (did: string, purpose: string) => await n("SELECT count(*) AS n FROM email_tokens WHERE did = ? AND purpose = ?", did, purpose);
const audits = async (action: string, did: string) => await n("SELECT count(*) AS n FROM audit_log WHERE action = ? AND target_did = ?", action, did);
const wrong = (token: string) => (token.startsWith("AAAAA") ? "BBBBB-BBBBB" : "AAAAA-AAAAA");

async function oneMail(fn: () => Promise<unknown>): Promise<Mail> {
  const before = emlFiles(e.pds.dataDir);
  await fn();
  const mails = await newEml(e.pds.dataDir, before);
  expect(mails.length).toBe(1);
  return mails[0]!;
}

describe("deleting one's own account by mailed token", () => {
  const del = (body: Record<string, unknown>) => call(e.url, `${S}.deleteAccount`, { body });
  const requestDelete = (u: User) => oneMail(() => ok(call(e.url, `${S}.requestAccountDelete`, { token: u.accessJwt, body: {} })));

  test("wrong password → 401 (counts toward lockout), wrong token → 400 InvalidToken; an owner → 409 with the token kept; after the transfer → deleted with #account deleted", async () => {
    const u = await approvedUser(e);
    const heir = await approvedUser(e);
    const community = (await ok(call(e.url, `${NS}.create`, { token: u.accessJwt, body: { handle: uniq("c"), didMethod: "plc" } }))).did as string;
    await ok(call(e.url, `${NS}.join`, { token: heir.accessJwt, body: { did: community } }));
    const mail = await requestDelete(u);
    expect(mail.subject).toBe("Account deletion requested");
    expect(mail.to).toBe(u.email);
    expect(await audits("account.deleteRequest", u.did)).toBe(1);
    const token = tokenIn(mail);

    const badPassword = await del({ did: u.did, password: "Wrong-password-1", token });
    expect([badPassword.status, badPassword.body]).toEqual([401, { error: "Unauthorized", message: "Invalid did or password" }]);
    expect(await n("SELECT count AS n FROM login_failures WHERE key = ?", `account:${u.did}`)).toBe(1);
    const unknownDid = await del({ did: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", password: PASSWORD, token });
    expect([unknownDid.status, unknownDid.body.error]).toEqual([401, "Unauthorized"]);
    const badToken = await del({ did: u.did, password: PASSWORD, token: wrong(token) });
    expect([badToken.status, badToken.body.error]).toEqual([400, "InvalidToken"]);

    const owner = await del({ did: u.did, password: PASSWORD, token });
    expect([owner.status, owner.body.error]).toEqual([409, "AccountOwnsCommunities"]);
    expect(await tokenRows(u.did, "delete_account")).toBe(1);
    expect(await n("SELECT count(*) AS n FROM accounts WHERE did = ?", u.did)).toBe(1);
    expect(await audits("account.delete", u.did)).toBe(0);

    await ok(call(e.url, `${NS}.transferOwnership`, { token: u.accessJwt, body: { did: community, newOwnerDid: heir.did, password: PASSWORD } }));
    const seq = await n("SELECT COALESCE(MAX(seq), 0) AS n FROM repo_events");
    expect((await del({ did: u.did, password: PASSWORD, token })).status).toBe(200);
    expect(await n("SELECT count(*) AS n FROM accounts WHERE did = ?", u.did)).toBe(0);
    expect(await n("SELECT count(*) AS n FROM email_tokens WHERE did = ?", u.did)).toBe(0);
    expect(await n("SELECT count(*) AS n FROM sessions WHERE did = ?", u.did)).toBe(0);
    const events = await e.sql<{ type: string; body: Uint8Array }>("SELECT type, body FROM repo_events WHERE seq > ? AND did = ? AND type = '#account'", seq, u.did);
    expect(events.map((ev) => (dagCbor.decode(ev.body) as { status?: string }).status)).toEqual(["deleted"]);
    const audit = await e.sql<{ actor_did: string; meta: string }>("SELECT actor_did, meta FROM audit_log WHERE action = 'account.delete' AND target_did = ?", u.did);
    expect(audit.map((a) => [a.actor_did, JSON.parse(a.meta).bySelf])).toEqual([[u.did, true]]);
    // the DID document still names this server: its tombstone is queued (02 §4)
    expect(await n("SELECT count(*) AS n FROM plc_tombstone_outbox WHERE did = ?", u.did)).toBe(1);
    // the token died with the account
    const again = await del({ did: u.did, password: PASSWORD, token });
    expect([again.status, again.body.error]).toEqual([401, "Unauthorized"]);
  });

  test("an expired deletion token → 400 ExpiredToken, the account stays", async () => {
    const u = await approvedUser(e);
    const token = tokenIn(await requestDelete(u));
    e.pds.advanceClock(16 * 60_000);
    const r = await del({ did: u.did, password: PASSWORD, token });
    expect([r.status, r.body.error]).toEqual([400, "ExpiredToken"]);
    expect(await n("SELECT count(*) AS n FROM accounts WHERE did = ?", u.did)).toBe(1);
    Object.assign(e.admin, await ok(call(e.url, `${S}.createSession`, { body: { identifier: "admin", password: "Admin-password-123" } })));
  });

  test("an admin account → 403 Forbidden, token kept", async () => {
    const token = tokenIn(await oneMail(() => ok(call(e.url, `${S}.requestAccountDelete`, { token: e.admin.accessJwt, body: {} }))));
    const r = await del({ did: e.admin.did, password: "Admin-password-123", token });
    expect([r.status, r.body.error]).toEqual([403, "Forbidden"]);
    expect(await tokenRows(e.admin.did, "delete_account")).toBe(1);
  });
});

describe("PLC operation signing by mailed token", () => {
  const sign = (u: { accessJwt: string }, body: Record<string, unknown>) => call(e.url, `${ID}.signPlcOperation`, { token: u.accessJwt, body });
  const requestSig = (u: { accessJwt: string }) => oneMail(() => ok(call(e.url, `${ID}.requestPlcOperationSignature`, { token: u.accessJwt, body: {} })));
  const plcData = async (did: string) => (await (await fetch(`${e.pds.plcUrl}/${did}/data`)).json()) as { rotationKeys: string[]; services: any; verificationMethods: any; alsoKnownAs: string[] };
  const submit = (did: string, op: unknown) => fetch(`${e.pds.plcUrl}/${did}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(op) });

  test("the token signs an operation the directory accepts (new endpoint and keys); bad shapes and wrong tokens change nothing; a second op after our key left → 400", async () => {
    const u = await approvedUser(e);
    const mail = await requestSig(u);
    expect(mail.subject).toBe("Identity (PLC) change requested");
    expect(await audits("identity.plcSignatureRequest", u.did)).toBe(1);
    const token = tokenIn(mail);
    const before = await plcData(u.did);
    const rotation = (await Secp256k1Keypair.create()).did();
    const signing = (await Secp256k1Keypair.create()).did();
    const endpoint = "https://new-pds.example.org";

    for (const [body, message] of [
      [{ rotationKeys: [] }, "rotationKeys must hold 1 to 5 did:key values"],
      [{ rotationKeys: ["did:key:zNope"] }, "rotationKeys must hold secp256k1 or P-256 did:key values"],
      [{ alsoKnownAs: Array.from({ length: 11 }, (_, i) => `at://h${i}.example.org`) }, "alsoKnownAs must hold at most 10 URIs"],
      [{ services: { atproto_pds: { type: "AtprotoPersonalDataServer" } } }, "services must be an object of {type, endpoint} entries"],
      [{ verificationMethods: { atproto: "not-a-key" } }, "verificationMethods must be an object of did:key values"],
    ] as const) {
      const r = await sign(u, { token, ...body });
      expect([r.status, r.body]).toEqual([400, { error: "InvalidRequest", message }]);
    }
    const bad = await sign(u, { token: wrong(token), services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint } } });
    expect([bad.status, bad.body.error]).toEqual([400, "InvalidToken"]);
    const noToken = await sign(u, {});
    expect([noToken.status, noToken.body.error]).toEqual([400, "InvalidRequest"]);
    expect(await tokenRows(u.did, "plc_operation")).toBe(1);
    expect(await audits("identity.signPlcOperation", u.did)).toBe(0);

    const r = await sign(u, { token, rotationKeys: [rotation], verificationMethods: { atproto: signing }, services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint } } });
    expect(r.status).toBe(200);
    const op = r.body.operation;
    expect(op.type).toBe("plc_operation");
    expect(op.alsoKnownAs).toEqual(before.alsoKnownAs);
    expect(typeof op.sig).toBe("string");
    // returned unsubmitted: the directory still has the old document
    expect((await plcData(u.did)).services).toEqual(before.services);
    expect(await audits("identity.signPlcOperation", u.did)).toBe(1);
    const used = await sign(u, { token });
    expect([used.status, used.body.error]).toEqual([400, "InvalidToken"]);

    expect((await submit(u.did, op)).status).toBe(200);
    const after = await plcData(u.did);
    expect(after.services.atproto_pds.endpoint).toBe(endpoint);
    expect(after.rotationKeys).toEqual([rotation]);
    expect(after.verificationMethods.atproto).toBe(signing);

    // this server's recovery key is gone from rotationKeys: it can sign nothing more
    const token2 = tokenIn(await requestSig(u));
    const refused = await sign(u, { token: token2, alsoKnownAs: ["at://x.example.org"] });
    expect([refused.status, refused.body]).toEqual([400, { error: "InvalidRequest", message: "This server's rotation key is no longer in rotationKeys" }]);
  });

  test("a suspended account's restricted session may request and sign (migration out)", async () => {
    const u = await approvedUser(e);
    await ok(call(e.url, "com.atproto.admin.updateSubjectStatus", { token: e.admin.accessJwt, body: { subject: { $type: "com.atproto.admin.defs#repoRef", did: u.did }, deactivated: { applied: true } } }));
    const restricted = await ok(call(e.url, `${S}.createSession`, { body: { identifier: u.handle, password: PASSWORD, allowTakendown: true } }));
    const token = tokenIn(await requestSig(restricted));
    const r = await sign(restricted, { token, alsoKnownAs: [`at://${u.handle}`, "at://other.example.org"] });
    expect(r.status).toBe(200);
    expect(r.body.operation.alsoKnownAs).toEqual([`at://${u.handle}`, "at://other.example.org"]);
  });

  test("an app-password session → 400 InvalidToken \"Bad token scope\" for PLC, deletion and email change; it may ask for a confirmation mail", async () => {
    const u = await approvedUser(e);
    const app = await ok(call(e.url, `${S}.createAppPassword`, { token: u.accessJwt, body: { name: "phone" } }));
    const s = await ok(call(e.url, `${S}.createSession`, { body: { identifier: u.handle, password: app.password } }));
    const before = emlFiles(e.pds.dataDir).length;
    for (const nsid of [`${ID}.requestPlcOperationSignature`, `${S}.requestAccountDelete`, `${S}.requestEmailUpdate`]) {
      const r = await call(e.url, nsid, { token: s.accessJwt, body: {} });
      expect([nsid, r.status, r.body]).toEqual([nsid, 400, { error: "InvalidToken", message: "Bad token scope" }]);
    }
    const signR = await sign(s, { token: "AAAAA-AAAAA" });
    expect([signR.status, signR.body.message]).toEqual([400, "Bad token scope"]);
    expect(emlFiles(e.pds.dataDir).length).toBe(before);
    expect((await call(e.url, `${S}.requestEmailConfirmation`, { token: s.accessJwt, body: {} })).status).toBe(200);
  });
});
