// `ofpds audit`: read the audit log (admin, auditor).
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "audit", description: "Audit log. Examples: ofpds audit list --action 'account.*' --since 2026-01-01" },
  subCommands: {
    list: () => import("./list.ts").then((m) => m.default),
  },
});
