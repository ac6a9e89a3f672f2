// The token-mail flows (10 §5.3) on a real `serve --dev` without SMTP_URL: each request writes one .eml (0600) whose
// token works once; wrong, expired and reused tokens give the exact errors and change nothing; 5 wrong tries kill a
// token; emailConfirmed becomes real; password reset revokes sessions; an unknown address gets 200 and no mail.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { approvedUser, call, ok, PASSWORD, startEnv, uniq, type Env } from "../account/_support.ts";
import { emlFiles, fileMode, logged, newEml, tokenIn, type Mail } from "./_support.ts";

const S = "com.atproto.server";
let e: Env;
beforeAll(async () => {
  e = await startEnv();
});
afterAll(async () => {
  await e?.stop();
});

type User = Awaited<ReturnType<typeof approvedUser>>;
const n = async (q: string, ...args: unknown[]) => (await e.sql<{ n: number }>(q, ...args))[0]!.n;
const audits = async (action: string, did: string) => await n("SELECT count(*) AS n FROM audit_log WHERE action = ? AND target_did = ?", action, did);
const tokenRows = async (did: string, purpose?: string) =>
  purpose ? await n("SELECT count(*) AS n FROM email_tokens WHERE did = ? AND purpose = ?", did, purpose) : await n("SELECT count(*) AS n FROM email_tokens WHERE did = ?", did);
const session = (u: { accessJwt: string }) => ok(call(e.url, `${S}.getSession`, { token: u.accessJwt }));

/** Runs `fn` and returns the one mail it wrote. */
async function oneMail(fn: () => Promise<unknown>): Promise<Mail & { path: string }> {
  const before = emlFiles(e.pds.dataDir);
  await fn();
  const mails = await newEml(e.pds.dataDir, before);
  expect(mails.length).toBe(1);
  return mails[0]!;
}
const requestConfirmation = (u: User) => oneMail(() => ok(call(e.url, `${S}.requestEmailConfirmation`, { token: u.accessJwt, body: {} })));
const confirm = (u: User, token: string, email = u.email as string) => call(e.url, `${S}.confirmEmail`, { token: u.accessJwt, body: { email, token } });
/** Moves the dev clock; access tokens (15 min) expire, so the admin and `users` sign in again. */
async function passTime(ms: number, ...users: User[]) {
  e.pds.advanceClock(ms);
  Object.assign(e.admin, await ok(call(e.url, `${S}.createSession`, { body: { identifier: "admin", password: "Admin-password-123" } })));
  for (const u of users) Object.assign(u, await ok(call(e.url, `${S}.createSession`, { body: { identifier: u.handle, password: PASSWORD } })));
}
/** A token of the right shape that is not `token`. */
const wrong = (token: string) => (token.startsWith("AAAAA") ? "BBBBB-BBBBB" : "AAAAA-AAAAA");

describe("email confirmation", () => {
  test("the .eml has the headers and text of 10 §5.1 and is 0600; its token confirms once; getSession and getAccountInfo show it", async () => {
    const u = await approvedUser(e);
    expect((await session(u)).emailConfirmed).toBe(false);
    const mail = await requestConfirmation(u);
    const file = mail.path;
    expect(file).toMatch(/\/mail\/\d{8}T\d{6}Z-confirm_email-[0-9a-f]{8}\.eml$/);
    expect(fileMode(file)).toBe(0o600);
    expect(mail.to).toBe(u.email);
    expect(mail.subject).toBe("Confirm your email");
    expect(mail.from).toContain("noreply@");
    expect(mail.headers.get("auto-submitted")).toBe("auto-generated");
    expect(mail.headers.get("message-id")).toMatch(/@localhost>$/);
    expect(mail.headers.get("date")).toBeInstanceOf(Date);
    expect(mail.text).toContain(`@${u.handle}`);
    expect(mail.text).toContain("15 minutes");
    expect(mail.text).toContain("ignore this message");
    expect(mail.raw).not.toMatch(/<html/i);
    const token = tokenIn(mail);
    // the path is logged, never the token
    await logged(e.pds, file);
    expect(e.pds.logs()).not.toContain(token);
    expect(await audits("account.email.requestConfirmation", u.did)).toBe(1);

    // case-insensitive
    expect((await confirm(u, token.toLowerCase())).status).toBe(200);
    expect((await session(u)).emailConfirmed).toBe(true);
    const info = await ok(call(e.url, "com.atproto.admin.getAccountInfo", { token: e.admin.accessJwt, params: { did: u.did } }));
    expect(typeof info.emailConfirmedAt).toBe("string");
    expect(await audits("account.email.confirm", u.did)).toBe(1);
    expect(await tokenRows(u.did)).toBe(0);

    // reused → 400 InvalidToken, nothing written
    const again = await confirm(u, token);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ error: "InvalidToken", message: "Token is invalid" });
    expect(await audits("account.email.confirm", u.did)).toBe(1);
  });

  test("another address than the current one → 400 InvalidEmail; the token stays usable", async () => {
    const u = await approvedUser(e);
    const token = tokenIn(await requestConfirmation(u));
    const r = await confirm(u, token, "someone-else@example.org");
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("InvalidEmail");
    expect((await session(u)).emailConfirmed).toBe(false);
    expect(await tokenRows(u.did, "confirm_email")).toBe(1);
    expect((await confirm(u, token)).status).toBe(200);
  });

  test("5 wrong tokens kill it: the 6th attempt fails even with the right token, and nothing was confirmed", async () => {
    const u = await approvedUser(e);
    const token = tokenIn(await requestConfirmation(u));
    for (let i = 0; i < 5; i++) {
      const r = await confirm(u, i === 2 ? "not a token" : wrong(token));
      expect(r.status).toBe(400);
      expect(r.body.error).toBe("InvalidToken");
    }
    expect(await tokenRows(u.did)).toBe(0);
    const sixth = await confirm(u, token);
    expect(sixth.status).toBe(400);
    expect(sixth.body.error).toBe("InvalidToken");
    expect((await session(u)).emailConfirmed).toBe(false);
    expect(await audits("account.email.confirm", u.did)).toBe(0);
  });

  test("4 wrong tokens leave it alive; a new request replaces the old token", async () => {
    const u = await approvedUser(e);
    const first = tokenIn(await requestConfirmation(u));
    for (let i = 0; i < 4; i++) expect((await confirm(u, wrong(first))).status).toBe(400);
    const second = tokenIn(await requestConfirmation(u));
    expect(await tokenRows(u.did, "confirm_email")).toBe(1);
    if (second !== first) expect((await confirm(u, first)).body.error).toBe("InvalidToken");
    expect((await confirm(u, second)).status).toBe(200);
  });

  test("after 16 minutes (dev clock) the token → 400 ExpiredToken and is gone", async () => {
    const u = await approvedUser(e);
    const token = tokenIn(await requestConfirmation(u));
    await passTime(16 * 60_000, u);
    const r = await confirm(u, token);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: "ExpiredToken", message: "Token is expired" });
    expect(await tokenRows(u.did)).toBe(0);
    expect((await session(u)).emailConfirmed).toBe(false);
  });

  test("the hourly sweep (09 §7) deletes expired tokens", async () => {
    const u = await approvedUser(e);
    await requestConfirmation(u);
    expect(await tokenRows(u.did)).toBe(1);
    await passTime(16 * 60_000, u);
    expect((await fetch(`${e.url}/_dev/jobs/email-token-sweep`, { method: "POST" })).status).toBe(200);
    expect(await tokenRows(u.did)).toBe(0);
  });

  test("a staff email change (admin.updateAccountEmail) clears the confirmation and kills the account's tokens", async () => {
    const u = await approvedUser(e);
    expect((await confirm(u, tokenIn(await requestConfirmation(u)))).status).toBe(200);
    await requestConfirmation(u);
    await ok(call(e.url, "com.atproto.admin.updateAccountEmail", { token: e.admin.accessJwt, body: { account: u.did, email: `${uniq("staff")}@example.org` } }));
    expect((await session(u)).emailConfirmed).toBe(false);
    expect(await tokenRows(u.did)).toBe(0);
  });

  test("a deactivated account may request and confirm", async () => {
    const u = await approvedUser(e);
    await ok(call(e.url, `${S}.deactivateAccount`, { token: u.accessJwt, body: {} }));
    const token = tokenIn(await requestConfirmation(u));
    expect((await confirm(u, token)).status).toBe(200);
    await ok(call(e.url, `${S}.activateAccount`, { token: u.accessJwt, body: {} }));
  });

  test("without a session → 401 AuthRequired, no mail", async () => {
    const before = emlFiles(e.pds.dataDir).length;
    const r = await call(e.url, `${S}.requestEmailConfirmation`, { body: {} });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe("AuthRequired");
    expect(emlFiles(e.pds.dataDir).length).toBe(before);
  });
});

describe("email update", () => {
  async function confirmedUser(): Promise<User> {
    const u = await approvedUser(e);
    expect((await confirm(u, tokenIn(await requestConfirmation(u)))).status).toBe(200);
    return u;
  }
  const update = (u: User, body: Record<string, unknown>) => call(e.url, `${S}.updateEmail`, { token: u.accessJwt, body });

  test("unconfirmed: tokenRequired false, no mail; updateEmail without a token sets the new address", async () => {
    const u = await approvedUser(e);
    const before = emlFiles(e.pds.dataDir).length;
    expect(await ok(call(e.url, `${S}.requestEmailUpdate`, { token: u.accessJwt, body: {} }))).toEqual({ tokenRequired: false });
    expect(emlFiles(e.pds.dataDir).length).toBe(before);
    const next = `${uniq("n")}@example.org`;
    const mail = await oneMail(() => ok(update(u, { email: next.toUpperCase() })));
    expect(mail.subject).toBe("Confirm your email");
    expect(mail.to).toBe(next);
    expect((await session(u)).email).toBe(next);
    // the confirmation mailed to the new address works
    expect((await confirm(u, tokenIn(mail), next)).status).toBe(200);
  });

  test("confirmed: tokenRequired true and a mail to the current address; no token → TokenRequired, wrong → InvalidToken, both change nothing", async () => {
    const u = await confirmedUser();
    const mail = await oneMail(async () => expect(await ok(call(e.url, `${S}.requestEmailUpdate`, { token: u.accessJwt, body: {} }))).toEqual({ tokenRequired: true }));
    expect(mail.subject).toBe("Email change requested");
    expect(mail.to).toBe(u.email);
    const token = tokenIn(mail);
    const next = `${uniq("n")}@example.org`;
    const none = await update(u, { email: next });
    expect(none.status).toBe(400);
    expect(none.body.error).toBe("TokenRequired");
    const bad = await update(u, { email: next, token: wrong(token) });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("InvalidToken");
    expect((await session(u)).email).toBe(u.email);
    expect(await audits("account.email.update", u.did)).toBe(0);

    // an address in use → 400 InvalidRequest, nothing written and the token kept
    const taken = await update(u, { email: (await e.sql<{ email: string }>("SELECT email FROM accounts WHERE did = ?", e.admin.did))[0]!.email, token });
    expect(taken.status).toBe(400);
    expect(taken.body).toEqual({ error: "InvalidRequest", message: "Email already in use" });
    const invalid = await update(u, { email: "not-an-address", token });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toBe("InvalidRequest");
    expect(await tokenRows(u.did, "update_email")).toBe(1);

    const confirmMail = await oneMail(() => ok(update(u, { email: next, token })));
    expect(confirmMail.to).toBe(next);
    const s = await session(u);
    expect(s.email).toBe(next);
    expect(s.emailConfirmed).toBe(false);
    expect(await audits("account.email.update", u.did)).toBe(1);
    // every older token died with the old address; only the new confirmation is live
    expect(await e.sql("SELECT purpose FROM email_tokens WHERE did = ?", u.did)).toEqual([{ purpose: "confirm_email" }]);
    // once the new address is confirmed, the old update token is dead
    expect((await confirm(u, tokenIn(confirmMail), next)).status).toBe(200);
    const reused = await update(u, { email: `${uniq("x")}@example.org`, token });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe("InvalidToken");
    expect((await session(u)).email).toBe(next);
  });
});

describe("password reset", () => {
  const reset = (body: Record<string, unknown>) => call(e.url, `${S}.resetPassword`, { body });

  test("an unknown or malformed address → 200, no mail, no audit row", async () => {
    const before = emlFiles(e.pds.dataDir).length;
    const auditBefore = await n("SELECT count(*) AS n FROM audit_log WHERE action = 'account.password.resetRequest'");
    for (const email of [`${uniq("nobody")}@example.org`, "not an address"]) {
      const r = await call(e.url, `${S}.requestPasswordReset`, { body: { email } });
      expect(r.status).toBe(200);
    }
    expect(emlFiles(e.pds.dataDir).length).toBe(before);
    expect(await n("SELECT count(*) AS n FROM audit_log WHERE action = 'account.password.resetRequest'")).toBe(auditBefore);
  });

  test("the mailed token sets the new password once, revokes every session (app-password ones too, the app password kept) and clears the lockout", async () => {
    const u = await approvedUser(e);
    const second = await ok(call(e.url, `${S}.createSession`, { body: { identifier: u.handle, password: PASSWORD } }));
    const app = await ok(call(e.url, `${S}.createAppPassword`, { token: u.accessJwt, body: { name: "phone" } }));
    const appSession = await ok(call(e.url, `${S}.createSession`, { body: { identifier: u.handle, password: app.password } }));
    // two failed logins on the counter
    for (let i = 0; i < 2; i++) expect((await call(e.url, `${S}.createSession`, { body: { identifier: u.handle, password: "Wrong-password-1" } })).status).toBe(401);
    expect(await n("SELECT count(*) AS n FROM login_failures WHERE key = ?", `account:${u.did}`)).toBe(1);
    const mail = await oneMail(() => ok(call(e.url, `${S}.requestPasswordReset`, { body: { email: ` ${(u.email as string).toUpperCase()} ` } })));
    expect(mail.subject).toBe("Password reset requested");
    expect(await audits("account.password.resetRequest", u.did)).toBe(1);
    const token = tokenIn(mail);

    // a password breaking 01 §4 → 400, nothing written, token kept
    const weak = await reset({ token, password: "short" });
    expect(weak.status).toBe(400);
    expect(weak.body.error).toBe("InvalidRequest");
    expect(await tokenRows(u.did, "reset_password")).toBe(1);
    const wrongToken = await reset({ token: wrong(token), password: "New-password-42" });
    expect(wrongToken.status).toBe(400);
    expect(wrongToken.body).toEqual({ error: "InvalidToken", message: "Token is invalid" });
    expect((await session(u)).did).toBe(u.did);

    expect((await reset({ token, password: "New-password-42" })).status).toBe(200);
    expect(await audits("account.password.reset", u.did)).toBe(1);
    for (const t of [u.accessJwt, second.accessJwt, appSession.accessJwt]) {
      const r = await call(e.url, `${S}.getSession`, { token: t });
      expect(r.status).toBe(401);
      expect(r.body.error).toBe("InvalidToken");
    }
    expect(await n("SELECT count(*) AS n FROM login_failures WHERE key = ?", `account:${u.did}`)).toBe(0);
    expect((await call(e.url, `${S}.createSession`, { body: { identifier: u.handle, password: PASSWORD } })).status).toBe(401);
    expect((await call(e.url, `${S}.createSession`, { body: { identifier: u.handle, password: "New-password-42" } })).status).toBe(200);
    // 10 §4: the app password itself is kept and logs in again
    expect(await n("SELECT count(*) AS n FROM app_passwords WHERE did = ?", u.did)).toBe(1);
    expect((await call(e.url, `${S}.createSession`, { body: { identifier: u.handle, password: app.password } })).status).toBe(200);
    // used once
    const reused = await reset({ token, password: "Other-password-42" });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe("InvalidToken");
    expect(await audits("account.password.reset", u.did)).toBe(1);
  });

  test("an expired reset token → 400 ExpiredToken, the password unchanged", async () => {
    const u = await approvedUser(e);
    const token = tokenIn(await oneMail(() => ok(call(e.url, `${S}.requestPasswordReset`, { body: { email: u.email } }))));
    await passTime(16 * 60_000);
    const r = await reset({ token, password: "New-password-42" });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("ExpiredToken");
    expect((await call(e.url, `${S}.createSession`, { body: { identifier: u.handle, password: PASSWORD } })).status).toBe(200);
  });
});
