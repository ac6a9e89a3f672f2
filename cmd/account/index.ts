// `ofpds account`: list accounts and the approval queue, approve or reject registrations, manage PDS roles, disable and enable.
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "account", description: "Accounts. Examples: ofpds account list-pending · ofpds account approve alice · ofpds account roles alice --add moderator" },
  subCommands: {
    list: () => import("./list.ts").then((m) => m.default),
    "list-pending": () => import("./list-pending.ts").then((m) => m.default),
    approve: () => import("./approve.ts").then((m) => m.default),
    reject: () => import("./reject.ts").then((m) => m.default),
    roles: () => import("./roles.ts").then((m) => m.default),
    disable: () => import("./disable.ts").then((m) => m.default),
    enable: () => import("./enable.ts").then((m) => m.default),
    create: () => import("./create.ts").then((m) => m.default),
    update: () => import("./update.ts").then((m) => m.default),
    "reset-password": () => import("./reset-password.ts").then((m) => m.default),
    export: () => import("./export.ts").then((m) => m.default),
    suspend: () => import("./suspend.ts").then((m) => m.default),
    unsuspend: () => import("./unsuspend.ts").then((m) => m.default),
    takedown: () => import("./takedown.ts").then((m) => m.default),
    untakedown: () => import("./untakedown.ts").then((m) => m.default),
    delete: () => import("./delete.ts").then((m) => m.default),
  },
});
