// The mailer over real SMTP (10 §5.1): a loopback smtp-server receives the confirmation, reset and PLC-operation mails;
// their tokens work once, no .eml is written; the per-account limits answer 429; a refusing server → 502 and no token.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { approvedUser, call, ok, startEnv, type Env } from "../account/_support.ts";
import { waitFor } from "../_support/process.ts";
import { emlFiles, smtpSink, tokenIn, type Mail } from "./_support.ts";

const S = "com.atproto.server";
let e: Env;
let sink: Awaited<ReturnType<typeof smtpSink>>;
const FROM = '"Test PDS" <noreply@pds.example.org>';
beforeAll(async () => {
  sink = await smtpSink();
  e = await startEnv({ SMTP_URL: sink.url, EMAIL_FROM: FROM, RATE_LIMITS_ENABLED: "true" });
});
afterAll(async () => {
  await e?.stop();
  await sink?.close();
});

const n = async (q: string, ...args: unknown[]) => (await e.sql<{ n: number }>(q, ...args))[0]!.n;
async function received(fn: () => Promise<unknown>): Promise<Mail> {
  const before = sink.received.length;
  await fn();
  expect(sink.received.length).toBe(before + 1);
  return sink.received.at(-1)!;
}

describe("mail over SMTP", () => {
  test("confirmation, reset and PLC-operation mails arrive with EMAIL_FROM; each token works once; nothing is written to <data dir>/mail", async () => {
    const u = await approvedUser(e);
    const confirm = await received(() => ok(call(e.url, `${S}.requestEmailConfirmation`, { token: u.accessJwt, body: {} })));
    expect(confirm.from).toBe(FROM);
    expect(confirm.to).toBe(u.email);
    expect(confirm.subject).toBe("Confirm your email");
    expect(confirm.headers.get("auto-submitted")).toBe("auto-generated");
    const t1 = tokenIn(confirm);
    expect((await call(e.url, `${S}.confirmEmail`, { token: u.accessJwt, body: { email: u.email, token: t1 } })).status).toBe(200);
    expect((await call(e.url, `${S}.confirmEmail`, { token: u.accessJwt, body: { email: u.email, token: t1 } })).body.error).toBe("InvalidToken");
    expect((await ok(call(e.url, `${S}.getSession`, { token: u.accessJwt }))).emailConfirmed).toBe(true);

    const plc = await received(() => ok(call(e.url, "com.atproto.identity.requestPlcOperationSignature", { token: u.accessJwt, body: {} })));
    expect(plc.subject).toBe("Identity (PLC) change requested");
    const t2 = tokenIn(plc);
    expect((await call(e.url, "com.atproto.identity.signPlcOperation", { token: u.accessJwt, body: { token: t2 } })).status).toBe(200);
    expect((await call(e.url, "com.atproto.identity.signPlcOperation", { token: u.accessJwt, body: { token: t2 } })).body.error).toBe("InvalidToken");

    const reset = await received(() => ok(call(e.url, `${S}.requestPasswordReset`, { body: { email: u.email } })));
    expect(reset.subject).toBe("Password reset requested");
    const t3 = tokenIn(reset);
    expect((await call(e.url, `${S}.resetPassword`, { body: { token: t3, password: "Brand-new-pass-7" } })).status).toBe(200);
    expect((await call(e.url, `${S}.resetPassword`, { body: { token: t3, password: "Brand-new-pass-8" } })).body.error).toBe("InvalidToken");
    expect((await call(e.url, `${S}.createSession`, { body: { identifier: u.handle, password: "Brand-new-pass-7" } })).status).toBe(200);

    expect(emlFiles(e.pds.dataDir)).toEqual([]);
    for (const t of [t1, t2, t3]) expect(e.pds.logs()).not.toContain(t);
    const config = await ok(call(e.url, "net.openfederation.server.getConfig", { token: e.admin.accessJwt }));
    expect(config.mailerConfigured).toBe(true);
    expect(JSON.stringify(config)).not.toContain(sink.url);
  });

  test("requestPasswordReset for an unknown address → 200 and nothing sent", async () => {
    const before = sink.received.length;
    expect((await call(e.url, `${S}.requestPasswordReset`, { body: { email: "nobody-here@example.org" } })).status).toBe(200);
    expect(sink.received.length).toBe(before);
  });

  test("per-account limits: the 6th confirmation request in an hour → 429 with Retry-After, no mail; the 4th reset request → 200 without a mail", async () => {
    const u = await approvedUser(e);
    for (let i = 0; i < 5; i++) await received(() => ok(call(e.url, `${S}.requestEmailConfirmation`, { token: u.accessJwt, body: {} })));
    const before = sink.received.length;
    const sixth = await call(e.url, `${S}.requestEmailConfirmation`, { token: u.accessJwt, body: {} });
    expect([sixth.status, sixth.body.error]).toEqual([429, "RateLimitExceeded"]);
    expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) await received(() => ok(call(e.url, `${S}.requestPasswordReset`, { body: { email: u.email } })));
    const fourth = await call(e.url, `${S}.requestPasswordReset`, { body: { email: u.email } });
    expect(fourth.status).toBe(200);
    expect(sink.received.length).toBe(before + 3);
    expect(await n("SELECT count(*) AS n FROM audit_log WHERE action = 'account.password.resetRequest' AND target_did = ?", u.did)).toBe(3);
  });
});

describe("com.atproto.admin.sendEmail", () => {
  const send = (token: string, body: Record<string, unknown>) => call(e.url, "com.atproto.admin.sendEmail", { token, body });
  const sendAudits = async () => await n("SELECT count(*) AS n FROM audit_log WHERE action = 'admin.sendEmail'");

  test("staff mail the account's address (default subject), audited without the content", async () => {
    const u = await approvedUser(e);
    const mail = await received(async () => expect(await ok(send(e.admin.accessJwt, { recipientDid: u.did, senderDid: e.admin.did, content: "Hello from the operators", comment: "ticket 7" }))).toEqual({ sent: true }));
    expect([mail.to, mail.subject, mail.from, mail.text.trim()]).toEqual([u.email, "Message from localhost", FROM, "Hello from the operators"]);
    expect(mail.headers.get("auto-submitted")).toBe("auto-generated");
    const row = await e.sql<{ actor_did: string; meta: string }>("SELECT actor_did, meta FROM audit_log WHERE action = 'admin.sendEmail' AND target_did = ?", u.did);
    expect(row.map((r) => [r.actor_did, JSON.parse(r.meta)])).toEqual([[e.admin.did, { recipientDid: u.did, subject: "Message from localhost", comment: "ticket 7", length: 24 }]]);
  });

  test("refusals: senderDid not the caller, content over 10 000, unknown recipient, a plain user — nothing sent or audited", async () => {
    const u = await approvedUser(e);
    const before = [sink.received.length, await sendAudits()];
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      [e.admin.accessJwt, { recipientDid: u.did, senderDid: u.did, content: "x" }, 400, "InvalidRequest"],
      [e.admin.accessJwt, { recipientDid: u.did, senderDid: e.admin.did, content: "x".repeat(10_001) }, 400, "InvalidRequest"],
      [e.admin.accessJwt, { recipientDid: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", senderDid: e.admin.did, content: "x" }, 404, "NotFound"],
      [u.accessJwt, { recipientDid: u.did, senderDid: u.did, content: "x" }, 403, "Forbidden"],
    ] as never;
    for (const [token, body, status, error] of cases) {
      const r = await send(token, body);
      expect([r.status, r.body.error]).toEqual([status, error]);
    }
    expect([sink.received.length, await sendAudits()]).toEqual(before);
  });
});

describe("a failing SMTP server", () => {
  test("a refused mail → 502 UpstreamFailure \"Could not send email\", the token deleted, the log names the domain only", async () => {
    const refusing = await smtpSink({ rejectAll: true });
    const env = await startEnv({ SMTP_URL: refusing.url, EMAIL_FROM: FROM });
    try {
      const u = await approvedUser(env);
      const r = await call(env.url, `${S}.requestEmailConfirmation`, { token: u.accessJwt, body: {} });
      expect([r.status, r.body]).toEqual([502, { error: "UpstreamFailure", message: "Could not send email" }]);
      expect((await env.sql<{ n: number }>("SELECT count(*) AS n FROM email_tokens WHERE did = ?", u.did))[0]!.n).toBe(0);
      // stderr is read asynchronously: wait for the line rather than racing the pipe
      await waitFor(async () => env.pds.logs().includes('"mail not sent"'), 5_000, "the mail-failure log line");
      const line = env.pds.logs().split("\n").find((l) => l.includes('"mail not sent"'))!;
      expect(JSON.parse(line)).toMatchObject({ level: "warn", purpose: "confirm_email", domain: "example.org" });
      expect(env.pds.logs()).not.toContain(u.email as string);
    } finally {
      await env.stop();
      await refusing.close();
    }
  });

  test("a rejected recipient → 502; the SMTP reply's echo of the address is masked in the log", async () => {
    const refusing = await smtpSink({ rejectRecipients: true });
    const env = await startEnv({ SMTP_URL: refusing.url, EMAIL_FROM: FROM });
    try {
      const u = await approvedUser(env);
      const r = await call(env.url, `${S}.requestPasswordReset`, { body: { email: u.email } });
      expect([r.status, r.body.error]).toEqual([502, "UpstreamFailure"]);
      await waitFor(async () => env.pds.logs().includes('"mail not sent"'), 5_000, "the mail-failure log line");
      const line = env.pds.logs().split("\n").find((l) => l.includes('"mail not sent"'))!;
      expect(JSON.parse(line).err).toContain("<address>");
      expect(env.pds.logs()).not.toContain(u.email as string);
    } finally {
      await env.stop();
      await refusing.close();
    }
  });

  test("a server that is not there → 502, the token deleted", async () => {
    const gone = await smtpSink();
    await gone.close();
    const env = await startEnv({ SMTP_URL: gone.url, EMAIL_FROM: FROM });
    try {
      const u = await approvedUser(env);
      const r = await call(env.url, "com.atproto.identity.requestPlcOperationSignature", { token: u.accessJwt, body: {} });
      expect([r.status, r.body.error]).toEqual([502, "UpstreamFailure"]);
      expect((await env.sql<{ n: number }>("SELECT count(*) AS n FROM email_tokens WHERE did = ?", u.did))[0]!.n).toBe(0);
    } finally {
      await env.stop();
    }
  });
});
