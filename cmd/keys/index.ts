// `ofpds keys`: local key maintenance on a stopped server's data set (09 §6).
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "keys", description: "Key maintenance. Example: ofpds keys rewrap --old-secret-file /root/old-kek" },
  subCommands: {
    rewrap: () => import("./rewrap.ts").then((m) => m.default),
  },
});
