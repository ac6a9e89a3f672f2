// runDoctor (08 §3): every check in a fixed order; network checks only when not offline. Exit rule: any fail → 1.
import type { Config, Secrets } from "../../config/types.ts";
import { openDataSetLook, type DataSetLook } from "../data-set.ts";
import { backupCheck, bootstrapCheck, databaseCheck, dataDirCheck, keysCheck, outboxCheck, proxyHeaderCheck } from "./local-checks.ts";
import { crawlerCheck, didJsonCheck, handleCheck, healthCheck, mailerCheck, oauthCheck, plcChecks, serviceUrlChecks, websocketCheck } from "./network-checks.ts";
import { ok, warn, type CheckResult } from "./types.ts";

export type { CheckResult, CheckStatus } from "./types.ts";

export interface DoctorInput {
  config: Config;
  secrets: Secrets;
  /** warnings of the config load (settings accepted but not refused) */
  configWarnings: string[];
  smtpUrl: string | undefined;
  offline: boolean;
  now: () => number;
}

export async function runDoctor(input: DoctorInput): Promise<CheckResult[]> {
  const { config, secrets, offline } = input;
  const results: CheckResult[] = [
    input.configWarnings.length ? warn("config", `configuration valid, with warnings: ${input.configWarnings.join("; ")}`) : ok("config", `configuration and secrets valid (${config.env})`),
    dataDirCheck(config.dataDir),
  ];
  // a PostgreSQL server that cannot be reached (or a newer schema) fails the database check; the rest run without it
  let db: DataSetLook | undefined;
  let openError: string | undefined;
  try {
    db = await openDataSetLook(config);
  } catch (err) {
    openError = (err as Error).message;
  }
  try {
    results.push(await databaseCheck(db, config.dataDir, openError), await keysCheck(db, secrets));
    if (!offline) {
      results.push(...(await healthCheck(config)), await didJsonCheck(config), await handleCheck(config, db), await websocketCheck(config));
      results.push(...(await plcChecks(config)), await crawlerCheck(config, db, input.now()));
    }
    results.push(await outboxCheck(db), bootstrapCheck(config.dataDir, secrets), backupCheck(config.dataDir, input.now()), await proxyHeaderCheck(db, config));
    if (!offline) results.push(await mailerCheck(config, input.smtpUrl), ...(await serviceUrlChecks(config)), await oauthCheck(config));
  } finally {
    await db?.close();
  }
  return results;
}

/** The ids of the checks that need the network (what --offline leaves out). */
export const NETWORK_CHECK_IDS = ["health", "tls", "did-json", "handle", "websocket", "plc", "clock", "crawlers", "mailer", "service-appview", "service-chat", "service-report-service", "oauth"];
