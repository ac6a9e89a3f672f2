// `ofpds server config`: net.openfederation.server.getConfig (admin, auditor) as a readable summary, or --json.
import { defineCommand } from "citty";
import { clientArgs, globalArgs } from "../_shared/args.ts";
import { clientFrom } from "../_shared/client.ts";
import { outputFrom } from "../_shared/output.ts";
import type { Output } from "../../src/lexicon-types/index.ts";

type ServerConfig = Output<"net.openfederation.server.getConfig">;

const onOff = (b: boolean) => (b ? "yes" : "no");

/** The human summary: one `name: value` line per setting, grouped, stats last. */
export function summary(c: ServerConfig): string {
  const services = Object.entries(c.services).map(([k, v]) => `${k} ${v!.url} (${v!.did})`);
  const s = c.stats;
  return [
    `${c.service} ${c.version} (${c.environment}) at ${c.serviceUrl}`,
    `  hostname:          ${c.hostname}`,
    `  service DID:       ${c.serviceDid}`,
    `  handle domain:     ${c.handleDomain}`,
    `  invite required:   ${onOff(c.inviteRequired)}    approval required: ${onOff(c.approvalRequired)}`,
    `  partner API:       ${onOff(c.partnerApiEnabled)}    remote members: ${onOff(c.remoteMembersEnabled)}`,
    `  PLC directory:     ${c.plcUrl}`,
    `  crawlers:          ${c.crawlers.length ? c.crawlers.join(", ") : "none"}`,
    `  services:          ${services.length ? services.join(", ") : "none"}    mailer: ${onOff(c.mailerConfigured)}`,
    `Limits`,
    `  JSON body ${c.limits.jsonBodyBytes} B · blob ${c.limits.blobMaxBytes} B · import ${c.limits.importMaxBytes} B`,
    `  access token ${c.limits.accessTokenTtl} · refresh token ${c.limits.refreshTokenTtl} · firehose backfill ${c.limits.firehoseBackfillHours} h · takedown export grace ${c.limits.takedownExportGraceDays} d`,
    `  rate limits: global ${c.rateLimits.global}/min · auth ${c.rateLimits.auth}/15 min · registration ${c.rateLimits.registration}/h · create ${c.rateLimits.create}/h · discovery ${c.rateLimits.discovery}/min`,
    `Stats`,
    `  users:       ${s.totalUsers} (approved ${s.approvedUsers}, pending ${s.pendingUsers}, suspended ${s.suspendedUsers}, taken down ${s.takendownUsers}, deactivated ${s.deactivatedUsers})`,
    `  communities: ${s.totalCommunities} (active ${s.activeCommunities}, suspended ${s.suspendedCommunities}, taken down ${s.takendownCommunities}, private ${s.privateCommunities})`,
    `  invites:     ${s.totalInvites} (active ${s.activeInvites})    partner keys: ${s.partnerKeys}    open proposals: ${s.openProposals}`,
    `  firehose:    seq ${s.firehoseSeq}, ${s.firehoseSubscribers} subscriber(s)    blobs: ${s.blobBytes} B`,
  ].join("\n");
}

export default defineCommand({
  meta: {
    name: "config",
    description: ["Show the server's configuration (no secrets) and statistics (admin or auditor). Examples:", "  ofpds server config", "  ofpds server config --json"].join("\n"),
  },
  args: { ...globalArgs, ...clientArgs },
  async run({ args }) {
    const out = outputFrom(args);
    const client = clientFrom(args, out);
    const cfg = await client.query("net.openfederation.server.getConfig");
    out.data(cfg, summary);
  },
});
