// `ofpds invite`: create, list and revoke invite codes (staff).
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "invite", description: "Invite codes. Examples: ofpds invite create --max-uses 5 --expires 2026-12-31 · ofpds invite list --status active · ofpds invite revoke <code>" },
  subCommands: {
    create: () => import("./create.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
    revoke: () => import("./revoke.ts").then((m) => m.default),
  },
});
