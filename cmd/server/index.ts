// `ofpds server`: the running server's configuration and stats, and restoring a repo from a CAR (admin).
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "server", description: "Server. Examples: ofpds server config · ofpds server import-repo alice --car alice.car --replace" },
  subCommands: {
    config: () => import("./config.ts").then((m) => m.default),
    "import-repo": () => import("./import-repo.ts").then((m) => m.default),
  },
});
