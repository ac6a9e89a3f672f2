// `ofpds community`: create, inspect, moderate, export and move communities (04; 08 §2).
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "community", description: "Communities. Examples: ofpds community create -n gardeners -m plc · ofpds community members gardeners · ofpds community export gardeners -o g.json" },
  subCommands: {
    create: () => import("./create.ts").then((m) => m.default),
    get: () => import("./get.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
    "list-mine": () => import("./list-mine.ts").then((m) => m.default),
    members: () => import("./members.ts").then((m) => m.default),
    requests: () => import("./requests.ts").then((m) => m.default),
    "approve-request": () => import("./approve-request.ts").then((m) => m.default),
    "reject-request": () => import("./reject-request.ts").then((m) => m.default),
    "remove-member": () => import("./remove-member.ts").then((m) => m.default),
    update: () => import("./update.ts").then((m) => m.default),
    suspend: () => import("./suspend.ts").then((m) => m.default),
    unsuspend: () => import("./unsuspend.ts").then((m) => m.default),
    takedown: () => import("./takedown.ts").then((m) => m.default),
    untakedown: () => import("./untakedown.ts").then((m) => m.default),
    delete: () => import("./delete.ts").then((m) => m.default),
    export: () => import("./export.ts").then((m) => m.default),
    transfer: () => import("./transfer.ts").then((m) => m.default),
    import: () => import("./import.ts").then((m) => m.default),
    "transfer-ownership": () => import("./transfer-ownership.ts").then((m) => m.default),
    // export schedules and snapshots (06 §10; admin)
    schedule: () => import("./schedule.ts").then((m) => m.default),
    schedules: () => import("./schedules.ts").then((m) => m.default),
    unschedule: () => import("./unschedule.ts").then((m) => m.default),
    snapshots: () => import("./snapshots.ts").then((m) => m.default),
    snapshot: () => import("./snapshot.ts").then((m) => m.default),
  },
});
