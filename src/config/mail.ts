// The mailer settings (10 §5.1, §9): SMTP_URL (a secret: it may hold credentials) and EMAIL_FROM, or --dev's .eml files.
import type { MailConfig } from "./types.ts";

/** The slice of build.ts's Reader this stage uses. */
interface SettingReader {
  readonly problems: string[];
  str(name: string): string | undefined;
}

const ADDRESS_RE = /^[^\s@<>"]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+$/;

/** The address of an RFC 5322 mailbox (`"Name" <a@b.c>` or `a@b.c`), or undefined when it is not one. */
export function mailboxAddress(mailbox: string): string | undefined {
  const m = /^\s*(?:(?:"[^"]*"|[^<>"]*)\s*<([^<>\s]+)>|([^<>\s]+))\s*$/.exec(mailbox);
  const addr = m?.[1] ?? m?.[2];
  return addr && ADDRESS_RE.test(addr) ? addr : undefined;
}

/** The mailer's default ports (the mailer and doctor agree): 465 for smtps://, 587 (submission) for smtp://. */
export const smtpDefaultPort = (protocol: string): number => (protocol === "smtps:" ? 465 : 587);

/** True for hosts whose traffic never leaves the machine: the only ones plain SMTP (no STARTTLS) may go to. */
export const isLoopbackHost = (host: string): boolean => host === "localhost" || host === "::1" || host === "[::1]" || /^127\./.test(host);

/**
 * SMTP_URL must be `smtp://…` or `smtps://…` with a host; EMAIL_FROM is required with it (exit 78 otherwise). Problems
 * never repeat the URL: it may carry a password. Without SMTP_URL, --dev writes .eml files and production has no mailer.
 */
export function mailConfig(r: SettingReader, smtpUrl: string | undefined, dev: boolean, hostname: string): MailConfig {
  const from = r.str("EMAIL_FROM");
  if (from !== undefined && !mailboxAddress(from)) r.problems.push(`EMAIL_FROM must be an address like "Example PDS" <noreply@pds.example.org> (got "${from}")`);
  if (smtpUrl === undefined) {
    return { mode: dev ? "files" : "none", from: from ?? `"ofpds" <noreply@${hostname || "localhost"}>` };
  }
  let url: URL | undefined;
  try {
    url = new URL(smtpUrl);
  } catch {
    // fall through to the problem below
  }
  if (!url || (url.protocol !== "smtp:" && url.protocol !== "smtps:") || !url.hostname) {
    r.problems.push("SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://[user:pass@]host[:port] (credentials URL-encoded)");
  }
  if (from === undefined) r.problems.push("EMAIL_FROM is required when SMTP_URL is set (e.g. \"Example PDS\" <noreply@pds.example.org>)");
  return { mode: "smtp", from: from ?? "", smtpHost: url?.hostname };
}
