// `ofpds serve`: load config, start the PDS (and in --dev the embedded PLC directory), stop on a signal.
import { defineCommand } from "citty";
import { join } from "node:path";
import { dataDirArg, globalArgs, listenArgs } from "./_shared/args.ts";
import { outputFrom } from "./_shared/output.ts";
import { untilSignal } from "./_shared/signals.ts";
import { loadConfig } from "../src/config/index.ts";
import { createServer } from "../src/server.ts";
import { DEV_ADMIN_FILE, devAdminHandle } from "../src/account/bootstrap.ts";

/** The line that tells a new developer what to do next: log in as the dev admin, whose password is in a file. */
function devNextStep(url: string, dataDir: string): string {
  const handle = devAdminHandle(dataDir);
  return handle
    ? `Next: ofpds auth login -s ${url} -u ${handle}   (the password is in ${join(dataDir, DEV_ADMIN_FILE)})`
    : `Next: ofpds auth login -s ${url} -u <handle>`;
}

export default defineCommand({
  meta: { name: "serve", description: "Run the PDS. Example: ofpds serve --dev" },
  args: {
    ...globalArgs,
    ...listenArgs,
    ...dataDirArg,
    dev: { type: "boolean", description: "Development mode: SQLite in ./.ofpds-dev, embedded PLC, generated secrets, loopback" },
    hostname: { type: "string", description: "Public hostname (PDS_HOSTNAME)" },
    config: { type: "string", description: "Config file (TOML); default $OFPDS_CONFIG or the XDG config dir" },
    "env-file": { type: "string", description: "Read settings from this .env file instead of ./.env" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    const flags: Record<string, string> = {};
    if (args.port) flags.PORT = args.port;
    if (args.host) flags.HOST = args.host;
    if (args["data-dir"]) flags.DATA_DIR = args["data-dir"];
    if (args.hostname) flags.PDS_HOSTNAME = args.hostname;
    const { config, secrets, configPath, warnings } = loadConfig({ flags, dev: args.dev, configPath: args.config, envFile: args["env-file"] });
    for (const w of warnings) out.warn(w);
    const server = await createServer(config, secrets);
    const { config: live } = server.ctx;
    if (config.dev) {
      out.warn("Development mode: not for production use (generated secrets, embedded PLC, loopback only)");
      out.info(`  data dir   ${live.dataDir}`);
      out.info(`  PLC        ${live.plcUrl}${server.plc ? " (embedded)" : ""}`);
      out.info(`  handles    <name>.${live.handleDomain}`);
    } else {
      out.info(`  config     ${configPath ?? "none (settings from the environment only)"}`);
      out.info(`  data dir   ${live.dataDir}`);
    }
    out.success(`ofpds ${live.version} listening on ${server.url} (service DID ${live.serviceDid})`);
    if (config.dev) out.info(devNextStep(server.url, live.dataDir));
    // Start-up (config, migrations, lexicon compilation) leaves garbage a long-idle server would carry; collect it once.
    setTimeout(() => Bun.gc(true), 250).unref();
    await untilSignal(server.stop, out);
    out.info("Shut down cleanly");
  },
});
