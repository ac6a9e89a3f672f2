// The screens this version of the TUI has, in 08 §4 order; the shell's navigation is built from this list only.
import { approvalsScreen } from "./approvals.tsx";
import { dashboardScreen } from "./dashboard.tsx";
import { invitesScreen } from "./invites.tsx";
import type { ScreenDef } from "./types.ts";

export const SCREENS: ScreenDef[] = [dashboardScreen, approvalsScreen, invitesScreen];
