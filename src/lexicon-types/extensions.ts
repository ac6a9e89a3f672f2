// Output fields ofpds adds to com.atproto.* methods beyond their lexicons (spec 01 §9.5: session extensions). Hand-written: no lexicon declares them.
import type { Output } from "./index.ts";

/** The extensions on createSession, refreshSession and getSession outputs (spec 01: `roles[]` and `accountStatus`). */
export interface SessionExtensions {
  /** the account's PDS roles (admin, moderator, …) */
  roles?: string[];
  /** the account's own status (spec 01 §2), which the wire `status` leaves ambiguous */
  accountStatus?: string;
}

export type SessionOutput<N extends "com.atproto.server.createSession" | "com.atproto.server.refreshSession" | "com.atproto.server.getSession"> = Output<N> &
  SessionExtensions;
