// `ofpds backup`: create an online backup archive, or restore one into a stopped server's data directory (09 §6).
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "backup", description: "Backups. Examples: ofpds backup create · ofpds backup restore ofpds-backup-20260101T000000Z.tar.gz --confirm pds.example.org" },
  subCommands: {
    create: () => import("./create.ts").then((m) => m.default),
    restore: () => import("./restore.ts").then((m) => m.default),
  },
});
