// Certificates are always verified (10 §5.1): a loopback SMTP server offering STARTTLS, or speaking TLS at once, with a
// self-signed certificate gets no mail (502, no token); the same server trusted through NODE_EXTRA_CA_CERTS gets it.
import { beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { approvedUser, call, startEnv } from "../account/_support.ts";
import { tempDirs } from "../_support/process.ts";
import { logged, smtpSink } from "./_support.ts";

const dir = tempDirs("ofpds-mail-tls-");
let cert: { key: string; cert: string };
let certPath: string;
beforeAll(() => {
  const d = dir();
  const r = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(d, "key.pem"), "-out", join(d, "cert.pem")], { stderr: "pipe" });
  if (!r.success) throw new Error(`openssl failed: ${r.stderr.toString()}`);
  certPath = join(d, "cert.pem");
  cert = { key: readFileSync(join(d, "key.pem"), "utf8"), cert: readFileSync(certPath, "utf8") };
});

test.each([
  ["STARTTLS offered on smtp://", false],
  ["TLS at once on smtps://", true],
])("%s with a self-signed certificate → 502 UpstreamFailure, nothing delivered, no token", async (_name, secure) => {
  const sink = await smtpSink({ tls: { ...cert, secure } });
  const env = await startEnv({ SMTP_URL: sink.url, EMAIL_FROM: "noreply@pds.example.org" });
  try {
    const u = await approvedUser(env);
    const r = await call(env.url, "com.atproto.server.requestEmailConfirmation", { token: u.accessJwt, body: {} });
    expect([r.status, r.body]).toEqual([502, { error: "UpstreamFailure", message: "Could not send email" }]);
    expect(sink.received).toEqual([]);
    expect((await env.sql<{ n: number }>("SELECT count(*) AS n FROM email_tokens WHERE did = ?", u.did))[0]!.n).toBe(0);
    await logged(env.pds, /"mail not sent".*certificate/i);
  } finally {
    await env.stop();
    await sink.close();
  }
});

test.each([
  ["STARTTLS on smtp://", false],
  ["smtps://", true],
])("%s with that certificate trusted (NODE_EXTRA_CA_CERTS) → delivered over TLS", async (_name, secure) => {
  const sink = await smtpSink({ tls: { ...cert, secure } });
  const env = await startEnv({ SMTP_URL: sink.url, EMAIL_FROM: "noreply@pds.example.org", NODE_EXTRA_CA_CERTS: certPath });
  try {
    const u = await approvedUser(env);
    expect((await call(env.url, "com.atproto.server.requestEmailConfirmation", { token: u.accessJwt, body: {} })).status).toBe(200);
    expect(sink.received.map((m) => m.subject)).toEqual(["Confirm your email"]);
    expect(sink.sessions.every((s) => s.secure)).toBe(true);
  } finally {
    await env.stop();
    await sink.close();
  }
});
