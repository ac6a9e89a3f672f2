// Test support for the mail suites: the .eml files --dev writes, a real SMTP sink on loopback, tokens out of mail bodies.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import "./_tlds.ts"; // before mailparser: see there
import { SMTPServer } from "smtp-server";
import type { ParsedMail } from "mailparser";
import { waitFor } from "../_support/process.ts";

export interface Mail {
  to: string;
  from: string;
  subject: string;
  text: string;
  headers: ParsedMail["headers"];
  raw: string;
}

async function parse(raw: string): Promise<Mail> {
  // loaded on first use, after ./_tlds.ts ran (a static import may be evaluated before it)
  const { simpleParser } = await import("mailparser");
  const m = await simpleParser(raw);
  const to = Array.isArray(m.to) ? m.to[0]!.text : (m.to?.text ?? "");
  return { to, from: m.from?.text ?? "", subject: m.subject ?? "", text: m.text ?? "", headers: m.headers, raw };
}

/** Waits until the server's stderr (read asynchronously) contains `text`. */
export async function logged(pds: { logs(): string }, text: string | RegExp): Promise<void> {
  await waitFor(async () => (typeof text === "string" ? pds.logs().includes(text) : text.test(pds.logs())), 5_000, `log output ${text}`);
}

/** The token a mail carries (XXXXX-XXXXX of A-Z2-7). */
export function tokenIn(mail: Mail): string {
  const m = /\b([A-Z2-7]{5}-[A-Z2-7]{5})\b/.exec(mail.text);
  if (!m) throw new Error(`no token in mail: ${mail.text}`);
  return m[1]!;
}

/** The .eml files of <dataDir>/mail. */
export function emlFiles(dataDir: string): string[] {
  const dir = join(dataDir, "mail");
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".eml")).sort().map((f) => join(dir, f)) : [];
}

export const fileMode = (path: string) => statSync(path).mode & 0o777;

/** Reads the mails whose files are not in `before` (names sort by second only, so a set, not a position). */
export async function newEml(dataDir: string, before: readonly string[]): Promise<Array<Mail & { path: string }>> {
  const seen = new Set(before);
  const fresh = emlFiles(dataDir).filter((f) => !seen.has(f));
  return Promise.all(fresh.map(async (f) => ({ ...(await parse(readFileSync(f, "utf8"))), path: f })));
}

/** A real SMTP server (smtp-server) on a loopback port, without STARTTLS, collecting what it receives. */
export async function smtpSink(opts: { rejectAll?: boolean; rejectRecipients?: boolean; tls?: { key: string; cert: string; secure: boolean } } = {}) {
  const received: Mail[] = [];
  /** whether each delivering connection was TLS */
  const sessions: Array<{ secure: boolean }> = [];
  const server = new SMTPServer({
    authOptional: true,
    // plain unless a certificate is given: then STARTTLS is offered (or, `secure`, TLS from the first byte)
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert, secure: opts.tls.secure } : { disabledCommands: ["STARTTLS"] }),
    logger: false,
    onRcptTo(address, _session, cb) {
      // a reply that echoes the address, as real servers do
      if (opts.rejectRecipients) return cb(Object.assign(new Error(`<${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      sessions.push({ secure: session.secure });
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (opts.rejectAll) return cb(Object.assign(new Error("mailbox unavailable"), { responseCode: 550 }));
        parse(Buffer.concat(chunks).toString("utf8")).then((m) => received.push(m)).then(() => cb(), cb);
      });
    },
  });
  // a client that refuses our certificate hangs up mid-handshake: expected in the TLS tests, not a test failure
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    url: `${opts.tls?.secure ? "smtps" : "smtp"}://127.0.0.1:${port}`,
    received,
    sessions,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
