// `ofpds auth app-password create|revoke`: one app password of the saved session's account (10 §4).
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "app-password", description: "Create or revoke an app password. Examples: ofpds auth app-password create phone · ofpds auth app-password revoke phone -y" },
  subCommands: {
    create: () => import("./create.ts").then((m) => m.default),
    revoke: () => import("./revoke.ts").then((m) => m.default),
  },
});
