// `ofpds init`'s answers: the wizard on a terminal, or the flags otherwise, and the checks both go through.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CliError, EXIT, UsageError } from "./_shared/errors.ts";
import { isAcceptablePassword, isValidEmail, MSG, nameProblem, normaliseEmail, normaliseName } from "../src/account/rules.ts";
import { mailboxAddress, mailConfig } from "../src/config/mail.ts";

export interface InitAnswers {
  hostname: string;
  handleDomain: string;
  dataDir: string;
  plcUrl: string;
  adminHandle: string;
  adminEmail: string;
  adminPassword: string;
  inviteRequired: boolean;
  approvalRequired: boolean;
  databaseUrlFile: string | undefined;
  /** proxy to Bluesky's AppView, chat and report services (10 §9) */
  blueskyServices: boolean;
  /** the mailer (10 §5.1): a file holding SMTP_URL (or the URL typed at the prompt, written to secrets/smtp_url) and EMAIL_FROM */
  smtpUrlFile?: string | undefined;
  smtpUrl?: string | undefined;
  emailFrom?: string | undefined;
}

/** 10 §9: the values `ofpds init` offers for service proxying (docs/proxy.md). */
export const BLUESKY_SERVICES = {
  bsky_app_view_url: "https://api.bsky.app",
  bsky_app_view_did: "did:web:api.bsky.app",
  bsky_chat_url: "https://api.bsky.chat",
  bsky_chat_did: "did:web:api.bsky.chat",
  report_service_url: "https://mod.bsky.app",
  report_service_did: "did:plc:ar7c4by46qjdydhdevvrndac",
};

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function checkAnswers(a: InitAnswers): string[] {
  const problems: string[] = [];
  if (!DOMAIN_RE.test(a.hostname)) problems.push(`--hostname must be a domain name (got "${a.hostname}")`);
  if (!DOMAIN_RE.test(a.handleDomain)) problems.push(`--handle-domain must be a domain name (got "${a.handleDomain}")`);
  const nameIssue = handleIssue(a.adminHandle, a.handleDomain);
  if (nameIssue) problems.push(`--admin-handle must be a valid name: ${nameIssue} (got "${a.adminHandle}")`);
  if (!isValidEmail(normaliseEmail(a.adminEmail))) problems.push(`--admin-email is not an email address (got "${a.adminEmail}")`);
  if (!isAcceptablePassword(a.adminPassword)) problems.push(`the admin password must be 10-128 characters: ${MSG.password}`);
  if (a.databaseUrlFile) {
    let url = "";
    try {
      url = readFileSync(a.databaseUrlFile, "utf8").trim();
    } catch {
      problems.push(`--database-url-file: cannot read ${a.databaseUrlFile}`);
    }
    if (url && !/^postgres(ql)?:\/\/[^/]/.test(url)) problems.push(`--database-url-file: ${a.databaseUrlFile} must hold a postgres:// or postgresql:// URL`);
    else if (!url && existsSync(a.databaseUrlFile)) problems.push(`--database-url-file: ${a.databaseUrlFile} is empty`);
  }
  if (!/^https?:\/\//.test(a.plcUrl)) problems.push(`--plc-url must be an http(s) URL (got "${a.plcUrl}")`);
  problems.push(...mailerProblems(a));
  return problems;
}

/** --smtp-url-file and --email-from come together and pass the server's own mailer rules (never echoing the URL). */
function mailerProblems(a: InitAnswers): string[] {
  if (!a.smtpUrlFile && !a.smtpUrl) return a.emailFrom ? ["--email-from needs --smtp-url-file (the SMTP server to send through)"] : [];
  let url = a.smtpUrl;
  if (a.smtpUrlFile) {
    try {
      url = readFileSync(a.smtpUrlFile, "utf8").trim();
    } catch {
      return [`Cannot read --smtp-url-file ${a.smtpUrlFile}`];
    }
  }
  const reader = { problems: [] as string[], str: (n: string) => (n === "EMAIL_FROM" ? a.emailFrom : undefined) };
  mailConfig(reader, url, false, a.hostname);
  return reader.problems.map((p) => p.replace("EMAIL_FROM is required when SMTP_URL is set", "--email-from is required with an SMTP URL"));
}

/** The server's own name rules (reserved names such as `admin` are allowed for the first admin, 08 §3). */
function handleIssue(handle: string, handleDomain: string): string | undefined {
  return nameProblem(normaliseName(handle, handleDomain || "example.org"), handleDomain || "example.org", { allowReserved: true });
}

function readPasswordFile(path: string): string {
  try {
    return readFileSync(path, "utf8").replace(/\r?\n$/, "");
  } catch {
    throw new UsageError(`Cannot read --admin-password-file ${path}`);
  }
}

export async function askInteractively(args: Record<string, any>, defaults: { dataDir: string }): Promise<InitAnswers> {
  const p = await import("@clack/prompts");
  const must = <T>(v: T): Exclude<T, symbol> => {
    if (p.isCancel(v)) throw new CliError("Cancelled; nothing was written", EXIT.interrupted, "Cancelled");
    return v as Exclude<T, symbol>;
  };
  p.intro("ofpds init");
  // Each prompt applies the server's rules and asks again on an error, keeping what was typed and the earlier answers.
  const domain = (v: string | undefined) => (DOMAIN_RE.test((v ?? "").trim().toLowerCase()) ? undefined : "Enter a domain name such as pds.example.org");
  const hostname = must(await p.text({ message: "Public hostname of this PDS", placeholder: "pds.example.org", initialValue: args.hostname ?? "", validate: domain }));
  const handleDomain = must(await p.text({ message: "Handle domain (handles are <name>.<domain>)", initialValue: args["handle-domain"] ?? hostname, validate: domain }));
  const dataDir = must(await p.text({ message: "Data directory", initialValue: args["data-dir"] ?? defaults.dataDir }));
  const adminHandle = must(await p.text({ message: "First admin's name", initialValue: args["admin-handle"] ?? "admin", validate: (v) => handleIssue(v ?? "", handleDomain.toLowerCase()) }));
  const adminEmail = must(await p.text({ message: "First admin's email", initialValue: args["admin-email"] ?? "", validate: (v) => (isValidEmail(normaliseEmail(v ?? "")) ? undefined : MSG.email) }));
  let adminPassword = args["admin-password-file"] ? readPasswordFile(args["admin-password-file"]) : "";
  while (!args["admin-password-file"]) {
    adminPassword = must(await p.password({ message: "First admin's password", validate: (v) => (isAcceptablePassword(v ?? "") ? undefined : MSG.password) }));
    const again = must(await p.password({ message: "The same password again" }));
    if (again === adminPassword) break;
    p.log.error("The passwords differ; enter it again");
  }
  const inviteRequired = must(await p.confirm({ message: "Require an invite code to register?", initialValue: args["invite-required"] ?? true }));
  const approvalRequired = must(await p.confirm({ message: "Require admin approval of new accounts?", initialValue: args["approval-required"] ?? true }));
  const blueskyServices = must(await p.confirm({ message: "Proxy to Bluesky's AppView, chat and moderation services (api.bsky.app, api.bsky.chat, mod.bsky.app)?", initialValue: args["bluesky-services"] ?? true }));
  // the mailer (10 §5.1): without one, email confirmation, password reset and PLC signing answer 501
  let smtpUrl: string | undefined;
  let emailFrom: string | undefined = args["email-from"];
  if (!args["smtp-url-file"] && must(await p.confirm({ message: "Send email (confirmation, password reset, account moves) through an SMTP server?", initialValue: false }))) {
    smtpUrl = must(await p.password({ message: "SMTP URL (smtp://user:pass@host:587 or smtps://user:pass@host:465, credentials URL-encoded)", validate: (v) => (/^smtps?:\/\/[^/\s]+/.test(v ?? "") ? undefined : "Enter smtp://… or smtps://…") }));
  }
  if (smtpUrl || args["smtp-url-file"]) {
    emailFrom ??= must(await p.text({ message: "Sender address (EMAIL_FROM)", placeholder: `"Example PDS" <noreply@${hostname}>`, validate: (v) => (mailboxAddress(v ?? "") ? undefined : "Enter an address like noreply@pds.example.org") }));
  }
  p.outro("Writing configuration");
  return {
    hostname: hostname.toLowerCase(),
    handleDomain: handleDomain.toLowerCase(),
    dataDir: resolve(dataDir),
    plcUrl: args["plc-url"] ?? "https://plc.directory",
    adminHandle,
    adminEmail,
    adminPassword,
    inviteRequired,
    approvalRequired,
    databaseUrlFile: args["database-url-file"],
    blueskyServices,
    smtpUrlFile: args["smtp-url-file"],
    smtpUrl,
    emailFrom,
  };
}

export function fromFlags(args: Record<string, any>, defaults: { dataDir: string }): InitAnswers {
  const required = ["hostname", "admin-handle", "admin-email", "admin-password-file"];
  const missing = required.filter((k) => !args[k]);
  if (missing.length) throw new UsageError(`Missing required arguments: ${missing.map((m) => `--${m}`).join(", ")}`);
  return {
    hostname: String(args.hostname).toLowerCase(),
    handleDomain: String(args["handle-domain"] ?? args.hostname).toLowerCase(),
    dataDir: resolve(args["data-dir"] ?? defaults.dataDir),
    plcUrl: args["plc-url"] ?? "https://plc.directory",
    adminHandle: String(args["admin-handle"]),
    adminEmail: String(args["admin-email"]),
    adminPassword: readPasswordFile(args["admin-password-file"]),
    inviteRequired: args["invite-required"] !== false,
    approvalRequired: args["approval-required"] !== false,
    databaseUrlFile: args["database-url-file"],
    blueskyServices: args["bluesky-services"] !== false,
    smtpUrlFile: args["smtp-url-file"],
    emailFrom: args["email-from"],
  };
}
