// `ofpds partner`: partner API keys (06 §7; staff: admin or partner-manager, list also auditor).
import { defineCommand } from "citty";

export default defineCommand({
  meta: {
    name: "partner",
    description: "Partner API keys. Examples: ofpds partner create-key -n web -p 'Game Co' -o https://game.example.com · ofpds partner list-keys --status active · ofpds partner revoke-key <id> -y",
  },
  subCommands: {
    "create-key": () => import("./create-key.ts").then((m) => m.default),
    "list-keys": () => import("./list-keys.ts").then((m) => m.default),
    "revoke-key": () => import("./revoke-key.ts").then((m) => m.default),
  },
});
