// The texts of the token mails (10 §5.1): what was requested, for which handle, the token, its 15 minutes, where to enter it.
import type { MailPurpose, OutgoingMail } from "./mailer.ts";

const SUBJECTS: Record<MailPurpose, string> = {
  confirm_email: "Confirm your email",
  update_email: "Email change requested",
  reset_password: "Password reset requested",
  delete_account: "Account deletion requested",
  plc_operation: "Identity (PLC) change requested",
};

const WHAT: Record<MailPurpose, { asked: string; where: string; ignore: string }> = {
  confirm_email: {
    asked: "Someone asked to confirm this email address",
    where: "Enter it in your app where it asks for the confirmation code (com.atproto.server.confirmEmail).",
    ignore: "If you did not ask for this, ignore this message: the address stays unconfirmed.",
  },
  update_email: {
    asked: "Someone asked to change the email address",
    where: "Enter it in your app together with the new address (com.atproto.server.updateEmail).",
    ignore: "If you did not ask for this, ignore this message: your email address stays as it is.",
  },
  reset_password: {
    asked: "Someone asked to reset the password",
    where: "Enter it in your app's password reset form with your new password (com.atproto.server.resetPassword).",
    ignore: "If you did not ask for this, ignore this message: your password stays as it is.",
  },
  delete_account: {
    asked: "Someone asked to delete",
    where: "Enter it with your DID and password where your app asks to confirm the deletion (com.atproto.server.deleteAccount).",
    ignore: "If you did not ask for this, ignore this message: your account stays as it is.",
  },
  plc_operation: {
    asked: "Someone asked this server to sign a change of the identity (did:plc) of",
    where: "Enter it in your migration tool where it asks for the PLC token (com.atproto.identity.signPlcOperation).",
    ignore: "If you did not ask for this, ignore this message: your identity stays as it is.",
  },
};

export function tokenMail(purpose: MailPurpose, to: string, opts: { handle: string; token: string; server: string }): OutgoingMail {
  const w = WHAT[purpose];
  const subjectOf = purpose === "delete_account" || purpose === "plc_operation" ? "" : purpose === "confirm_email" ? " for" : " of";
  const text = [
    `${w.asked}${subjectOf} the account @${opts.handle} on ${opts.server}.`,
    "",
    `Your code: ${opts.token}`,
    "",
    "It expires in 15 minutes and works once.",
    w.where,
    "",
    w.ignore,
    "",
  ].join("\n");
  return { to, subject: SUBJECTS[purpose], text, purpose };
}
