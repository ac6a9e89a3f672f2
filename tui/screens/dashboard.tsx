// Screen 1, Dashboard: getConfig stats, the pending-approval count and the last 10 audit entries; refreshed every 10 s.
import { useCallback, useEffect, useState } from "react";
import { Box, type Key } from "ink";
import { ErrorLine } from "../components/error-line.tsx";
import { describeError, type ShownError } from "../lib/errors.ts";
import { useGatedInput } from "../lib/keys.ts";
import { T } from "../lib/theme.tsx";
import { useScreenAction, useUi } from "../lib/ui.tsx";
import { cells, shortTime } from "../lib/columns.ts";
import type { Output } from "../../src/lexicon-types/index.ts";
import type { ScreenDef } from "./types.ts";

export const DASHBOARD_REFRESH_MS = 10_000;

type Stats = Output<"net.openfederation.server.getConfig">["stats"];
type AuditEntry = Output<"net.openfederation.audit.list">["entries"][number];

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

function Dashboard() {
  const ui = useUi();
  const [stats, setStats] = useState<Stats>();
  const [version, setVersion] = useState("");
  const [error, setError] = useState<ShownError>();
  const [audit, setAudit] = useState<AuditEntry[]>();
  const [auditError, setAuditError] = useState<ShownError>();
  const [refreshes, setRefreshes] = useState(0);

  const load = useCallback(async () => {
    try {
      const cfg = await ui.api.query("net.openfederation.server.getConfig");
      setStats(cfg.stats);
      setVersion(`${cfg.hostname} · ofpds ${cfg.version}`);
      setError(undefined);
    } catch (err) {
      setError(ui.fail(err));
    }
    try {
      setAudit((await ui.api.query("net.openfederation.audit.list", { limit: 10 })).entries);
      setAuditError(undefined);
    } catch (err) {
      // An auditor-less moderator may see the stats but not the audit log: say so in its panel only.
      setAuditError(describeError(err));
    }
    setRefreshes((n) => n + 1);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    void load();
    return ui.ticker.every(DASHBOARD_REFRESH_MS, () => void load());
  }, [load]); // eslint-disable-line react-hooks/exhaustive-deps

  const onKey = (input: string, _key: Key) => {
    if (input === "r") void load();
  };
  useGatedInput(onKey, ui.keysEnabled);
  useScreenAction(onKey);

  const auditRows = Math.max(0, Math.min(10, ui.bodyRows - 9));
  return (
    <Box flexDirection="column">
      <T tone="title">{`Dashboard${version ? ` — ${version}` : ""}`}</T>
      <ErrorLine error={error} />
      {stats ? (
        <Box flexDirection="column">
          <T bold>{`Pending approval: ${stats.pendingUsers}`}</T>
          <T>{`Accounts     ${stats.totalUsers} total · ${stats.approvedUsers} approved · ${stats.pendingUsers} pending · ${stats.suspendedUsers} suspended · ${stats.takendownUsers} taken down · ${stats.deactivatedUsers} deactivated`}</T>
          <T>{`Communities  ${stats.totalCommunities} total · ${stats.activeCommunities} active · ${stats.suspendedCommunities} suspended · ${stats.takendownCommunities} taken down · ${stats.privateCommunities} private`}</T>
          <T>{`Invites      ${stats.totalInvites} total · ${stats.activeInvites} active    Open proposals ${stats.openProposals}    Partner keys ${stats.partnerKeys}`}</T>
          <T>{`Firehose     seq ${stats.firehoseSeq} · ${stats.firehoseSubscribers} subscribers    Blobs ${mib(stats.blobBytes)}`}</T>
        </Box>
      ) : (
        !error && <T tone="dim">loading…</T>
      )}
      <Box marginTop={1} flexDirection="column">
        <T tone="accent">Recent audit entries</T>
        <ErrorLine error={auditError} />
        {audit && audit.length === 0 && <T tone="dim">(none yet)</T>}
        {audit?.slice(0, auditRows).map((e) => (
          <T key={e.id}>{cells([shortTime(e.createdAt), e.action, e.actorHandle ?? e.actorDid ?? e.actorType, e.targetDid ?? e.targetId], [16, 30, 22, 40])}</T>
        ))}
      </Box>
      <T tone="dim">{`refreshed ${refreshes} time${refreshes === 1 ? "" : "s"} · every ${DASHBOARD_REFRESH_MS / 1000} s · r refreshes now`}</T>
    </Box>
  );
}

export const dashboardScreen: ScreenDef = {
  key: "1",
  title: "Dashboard",
  roles: ["admin", "auditor"],
  keys: [["r", "refresh now (also every 10 s)"]],
  actions: [{ label: "Refresh", key: "r" }],
  Component: Dashboard,
};
