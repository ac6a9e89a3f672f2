// The mailer (10 §5.1): SMTP through nodemailer, --dev's .eml files under <DATA_DIR>/mail, or none. Plain-text mails only.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import nodemailer from "nodemailer";
import type { Config, Secrets } from "../config/types.ts";
import { isLoopbackHost, smtpDefaultPort } from "../config/mail.ts";
import type { Logger } from "../util/logger.ts";
import type { Clock } from "../util/clock.ts";

/** Why a mail is sent: the token purposes of 10 §5.2 (also the `.eml` file name part). */
export type MailPurpose = "confirm_email" | "update_email" | "reset_password" | "delete_account" | "plc_operation";
/** What a mail is: a token mail, or a staff message (com.atproto.admin.sendEmail, 10 §6; no token). */
export type MailKind = MailPurpose | "admin_message";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  purpose: MailKind;
}

export interface Mailer {
  /** false when no SMTP_URL is set outside --dev: the mail methods answer 501 before writing anything */
  readonly configured: boolean;
  /** Sends one mail; rejects on any failure or after SEND_TIMEOUT_MS. Never called inside a database transaction. */
  send(mail: OutgoingMail): Promise<void>;
}

/** A send failure for the logs: SMTP replies may echo addresses, so every address is masked. */
export const safeMailError = (err: unknown): string => (err instanceof Error ? err.message : String(err)).replace(/[^\s<>"'@]+@[^\s<>"']+/g, "<address>");

/** 10 §5.1: a send that has not finished after 10 s has failed. */
export const SEND_TIMEOUT_MS = 10_000;

export interface MailerDeps {
  config: Pick<Config, "mail" | "dataDir" | "hostname">;
  secrets: Pick<Secrets, "smtpUrl">;
  logger: Logger;
  clock: Clock;
}

type Transport = ReturnType<typeof nodemailer.createTransport>;

/** The headers every mail carries (10 §5.1); nodemailer adds MIME-Version and a UTF-8 text part. */
function envelope(deps: MailerDeps, mail: OutgoingMail) {
  const host = deps.config.hostname || "localhost";
  return {
    from: deps.config.mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    date: new Date(deps.clock()),
    messageId: `<${randomBytes(12).toString("hex")}@${host}>`,
    headers: { "Auto-Submitted": "auto-generated" },
    textEncoding: "quoted-printable" as const,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`mail not sent within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * smtp:// uses STARTTLS whenever the server offers it and requires it unless the host is loopback; smtps:// is TLS
 * from the first byte. Certificates are always verified. Credentials come URL-encoded in the URL.
 */
export function smtpTransport(smtpUrl: string): Transport {
  const url = new URL(smtpUrl);
  const secure = url.protocol === "smtps:";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return nodemailer.createTransport({
    host,
    port: url.port ? Number(url.port) : smtpDefaultPort(url.protocol),
    secure,
    requireTLS: !secure && !isLoopbackHost(host),
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // nodemailer sends SNI for a host name (never for an IP literal) and checks the certificate against the host
    tls: { rejectUnauthorized: true },
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}

class SmtpMailer implements Mailer {
  readonly configured = true;
  private readonly transport: Transport;
  constructor(private readonly deps: MailerDeps, smtpUrl: string) {
    this.transport = smtpTransport(smtpUrl);
  }
  async send(mail: OutgoingMail): Promise<void> {
    await withTimeout(this.transport.sendMail(envelope(this.deps, mail)), SEND_TIMEOUT_MS);
  }
}

/** `20261203T134501Z` for the .eml file names: sortable, no characters a file system dislikes. */
const fileStamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");

/** --dev without SMTP_URL: the RFC 5322 message nodemailer would send, written 0600 to <DATA_DIR>/mail/. */
class FileMailer implements Mailer {
  readonly configured = true;
  private readonly transport: Transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  constructor(private readonly deps: MailerDeps) {}
  async send(mail: OutgoingMail): Promise<void> {
    const info = await this.transport.sendMail(envelope(this.deps, mail));
    const dir = join(this.deps.config.dataDir, "mail");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${fileStamp(this.deps.clock())}-${mail.purpose}-${randomBytes(4).toString("hex")}.eml`);
    writeFileSync(path, info.message as Buffer, { mode: 0o600, flag: "wx" });
    // the path only: the body holds the token (09 §5: tokens and mail bodies never reach the logs)
    this.deps.logger.info("mail written", { path, purpose: mail.purpose });
  }
}

class NoMailer implements Mailer {
  readonly configured = false;
  async send(): Promise<void> {
    throw new Error("no mailer is configured (SMTP_URL is not set)");
  }
}

export function buildMailer(deps: MailerDeps): Mailer {
  const { mode } = deps.config.mail;
  if (mode === "smtp" && deps.secrets.smtpUrl) return new SmtpMailer(deps, deps.secrets.smtpUrl);
  if (mode === "files") return new FileMailer(deps);
  return new NoMailer();
}
