// `ofpds tui [--server URL]`: the terminal admin UI (08 §4); the UI lives in tui/ and loads only for this verb.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "./_shared/args.ts";

export default defineCommand({
  meta: {
    name: "tui",
    description:
      "Terminal admin UI: dashboard, approvals, invites (docs/tui.md). Examples: ofpds tui · ofpds tui -s https://pds.example.org (a login form opens when no session is saved) · NO_COLOR=1 ofpds tui",
  },
  args: { ...globalArgs, ...clientArgs },
  async run({ args }) {
    const { runTui } = await import("../tui/run.tsx");
    await runTui({ server: args.server, timeout: args.timeout, color: args.color });
  },
});
