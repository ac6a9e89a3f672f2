// Shared flags of the role verbs: `--permission` (repeatable or comma-separated, `community.` prefix optional).
import { repeated } from "../_shared/input.ts";

export const permissionArg = {
  permission: { type: "string", description: "A permission to grant, e.g. member.read or community.member.read (repeatable, or comma-separated)" },
} as const;

/** The permissions given with --permission, each with the `community.` prefix added when missing. */
export const permissionsFrom = (rawArgs: string[]): string[] =>
  repeated(rawArgs, "permission").map((p) => (p.startsWith("community.") ? p : `community.${p}`));

/** `--no-permissions` (an empty list) was given explicitly. */
export const clearsPermissions = (rawArgs: string[]) => rawArgs.includes("--no-permissions");
