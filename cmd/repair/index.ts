// `ofpds repair`: local repairs on a stopped server's data set (09 §6).
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "repair", description: "Repairs. Example: ofpds repair reindex did:plc:abc123" },
  subCommands: {
    reindex: () => import("./reindex.ts").then((m) => m.default),
  },
});
