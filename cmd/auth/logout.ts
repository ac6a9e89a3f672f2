// `ofpds auth logout`: deleteSession with the refresh JWT (the server revokes the session), then forget it locally.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { EXIT } from "../_shared/errors.ts";
import { outputFrom } from "../_shared/output.ts";
import { CliError } from "../_shared/errors.ts";

export default defineCommand({
  meta: { name: "logout", description: "Revoke the saved session on the server and remove it locally. Examples: ofpds auth logout · ofpds auth logout -s https://pds.example.org" },
  args: { ...globalArgs, ...clientArgs },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const session = client.requireSession();
    let revoked = true;
    try {
      await client.procedure("com.atproto.server.deleteSession", undefined, "refresh");
    } catch (err) {
      // Unreachable or failing server: keep the tokens so the revoke can be retried.
      if (!(err instanceof CliError) || err.exitCode === EXIT.unreachable || err.exitCode === EXIT.runtime) throw err;
      // The server refused the token (already expired or revoked): nothing left to revoke there.
      revoked = false;
      out.warn(`The server did not accept the saved token (${err.errorName}); removing it locally anyway`);
    }
    client.store.delete(client.server);
    out.data({ server: client.server, did: session.did, handle: session.handle, revoked }, (r) => `Logged out of ${r.server} (${r.handle})`);
  },
});
