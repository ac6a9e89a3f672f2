// Shared pieces of the governance verbs (05 §4-§7): reading a proposed record from a file or stdin, and the tally line.
import { readFileSync } from "node:fs";
import { UsageError } from "../_shared/errors.ts";

/** The JSON object in `path` (`-` = stdin). */
export function recordFromFile(path: string | undefined, flag = "--record-file"): Record<string, unknown> {
  if (!path) throw new UsageError(`Missing ${flag} <file> (a JSON object; - reads stdin)`);
  let text: string;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (err) {
    throw new UsageError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new UsageError(`${path} must hold a JSON object`);
  return doc as Record<string, unknown>;
}

export interface TallyView {
  for: number;
  against: number;
  delegatedFor: number;
  delegatedAgainst: number;
  eligible: number;
  effectiveQuorum: number;
}
export const tallyLine = (t: TallyView) =>
  `for ${t.for} (${t.delegatedFor} delegated) · against ${t.against} (${t.delegatedAgainst} delegated) · ${t.eligible} voters · quorum ${t.effectiveQuorum}`;
