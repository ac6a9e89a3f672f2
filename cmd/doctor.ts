// `ofpds doctor [--json] [--offline]`: health checks of the local data set and the public deployment (08 §3).
import { defineCommand } from "citty";
import { globalArgs } from "./_shared/args.ts";
import { CliError, EXIT } from "./_shared/errors.ts";
import { outputFrom } from "./_shared/output.ts";
import { loadConfigReadOnly, localConfigArgs, rawSetting } from "./_shared/local-config.ts";
import { ConfigError } from "../src/config/errors.ts";
import { runDoctor, type CheckResult } from "../src/operator/doctor/index.ts";

const MARK = { ok: "✓", warn: "!", fail: "✗" } as const;

function render(results: CheckResult[]): string {
  return results.map((r) => `${MARK[r.status]} ${r.id}: ${r.message}${r.hint ? `\n    → ${r.hint}` : ""}`).join("\n");
}

export default defineCommand({
  meta: {
    name: "doctor",
    description: [
      "Check the configuration, data directory, database, keys and the public deployment. Exit 1 if any check fails. Examples:",
      "  ofpds doctor",
      "  ofpds doctor --offline --json",
    ].join("\n"),
  },
  args: {
    ...globalArgs,
    ...localConfigArgs,
    port: { type: "string", description: "Port the server listens on (PORT; in --dev it also sets the service URL)" },
    hostname: { type: "string", description: "Public hostname (PDS_HOSTNAME)" },
    offline: { type: "boolean", description: "Skip the checks that need the network" },
  },
  async run({ args }) {
    const out = outputFrom(args);
    let results: CheckResult[];
    try {
      const { config, secrets, warnings } = loadConfigReadOnly(args);
      results = await runDoctor({ config, secrets, configWarnings: warnings, smtpUrl: secrets.smtpUrl || rawSetting(args, "SMTP_URL"), offline: args.offline === true, now: Date.now });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      // nothing else can be checked without a configuration: one failing entry that lists every problem
      results = [{ id: "config", status: "fail", message: err.problems.join("; "), hint: "fix the configuration (docs/configuration.md)" }];
    }
    out.data(results, render);
    const failed = results.filter((r) => r.status === "fail");
    if (failed.length) throw new CliError(`doctor: ${failed.length} check(s) failed: ${failed.map((r) => r.id).join(", ")}`, EXIT.runtime, "DoctorFailed");
  },
});
