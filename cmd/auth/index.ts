// `ofpds auth`: log in to a server, log out (server-side revoke), show the saved session's account.
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "auth", description: "Sessions. Examples: ofpds auth login -u admin --password-file pw.txt · ofpds auth whoami · ofpds auth logout" },
  subCommands: {
    login: () => import("./login.ts").then((m) => m.default),
    logout: () => import("./logout.ts").then((m) => m.default),
    whoami: () => import("./whoami.ts").then((m) => m.default),
    "app-passwords": () => import("./app-passwords.ts").then((m) => m.default),
    "app-password": () => import("./app-password/index.ts").then((m) => m.default),
  },
});
