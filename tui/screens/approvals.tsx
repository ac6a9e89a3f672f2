// Screen 2, Approvals: the pending-registration queue, oldest first; approve (a), reject with a reason (x), select (Space), approve selected (A).
import { useState } from "react";
import { Box, type Key } from "ink";
import { Detail } from "../components/detail.tsx";
import { ErrorLine } from "../components/error-line.tsx";
import { Form } from "../components/form.tsx";
import type { ShownError } from "../lib/errors.ts";
import { LIST_KEYS, moveRow, pageKey, useGatedInput } from "../lib/keys.ts";
import { cells, shortTime, windowed } from "../lib/columns.ts";
import { T } from "../lib/theme.tsx";
import { useRefState } from "../lib/ref-state.ts";
import { useScreenAction, useUi } from "../lib/ui.tsx";
import { usePaged } from "../lib/use-paged.ts";
import type { Output } from "../../src/lexicon-types/index.ts";
import type { ScreenDef } from "./types.ts";

export const APPROVALS_PAGE = 10;
type Pending = Output<"net.openfederation.account.listPending">["users"][number];
const WIDTHS = [3, 28, 30, 8, 16];

function Approvals() {
  const ui = useUi();
  const [error, setError] = useState<ShownError>();
  const [getDetail, setDetail] = useRefState<Pending | undefined>(undefined);
  const [getRow, setRow] = useRefState(0);
  const [getSelected, setSelected] = useRefState<Set<string>>(() => new Set());
  const [rejecting, setRejecting] = useState<Pending>();
  const [getBusy, setBusy] = useRefState(false);
  const list = usePaged(
    async (cursor) => {
      const r = await ui.api.query("net.openfederation.account.listPending", { limit: APPROVALS_PAGE, cursor });
      return { items: r.users, cursor: r.cursor, total: r.total };
    },
    [],
    (err) => setError(ui.fail(err)),
  );
  const row = getRow();
  const busy = getBusy();
  const detail = getDetail();
  const selected = getSelected();
  const current = list.items[Math.min(row, list.items.length - 1)];

  /** Approves one by one so each result is logged; a failure is shown inline and the rest still go. */
  async function approve(users: Pending[]) {
    setBusy(true);
    let failed: ShownError | undefined;
    for (const u of users) {
      try {
        await ui.api.procedure("net.openfederation.account.approve", { did: u.did });
        ui.log(`✔ Approved ${u.handle} (${u.did})`, "ok");
      } catch (err) {
        failed = ui.fail(err);
      }
    }
    setError(failed);
    setSelected(new Set());
    await list.reload();
    setBusy(false);
  }

  async function reject(u: Pending, reason: string) {
    setBusy(true);
    try {
      await ui.api.procedure("net.openfederation.account.reject", { did: u.did, ...(reason ? { reason } : {}) });
      ui.log(`✔ Rejected ${u.handle} (${u.did})${reason ? `: ${reason}` : ""}`, "ok");
      setError(undefined);
      setRejecting(undefined);
      await list.reload();
    } catch (err) {
      setError(ui.fail(err));
      setRejecting(undefined);
    }
    setBusy(false);
  }

  const onKey = (input: string, key: Key) => {
    if (getBusy() || rejecting) return;
    if (getDetail()) {
      if (key.escape || key.return) setDetail(undefined);
      return;
    }
    const row = getRow();
    const current = list.items[Math.min(row, list.items.length - 1)];
    const moved = moveRow(input, key, row, list.items.length);
    if (moved !== undefined) return setRow(moved);
    const page = pageKey(input, key);
    if (page) {
      setRow(0);
      return page === "next" ? list.next() : list.prev();
    }
    if (input === "r") return void list.reload();
    if (key.return && current) return setDetail(current);
    if (!current) return;
    if (input === "a") return void approve([current]);
    if (input === "x") return setRejecting(current);
    const selected = getSelected();
    if (input === " ") {
      const next = new Set(selected);
      if (next.has(current.did)) next.delete(current.did);
      else next.add(current.did);
      return setSelected(next);
    }
    if (input === "A") {
      const chosen = list.items.filter((u) => selected.has(u.did));
      return void approve(chosen.length ? chosen : [current]);
    }
  };
  useGatedInput(onKey, ui.keysEnabled);
  useScreenAction(onKey);

  // Rows left for the list once the title, the detail/error lines and an open form are drawn.
  const shown = windowed(list.items, row, ui.bodyRows - (rejecting ? 9 : 6));
  return (
    <Box flexDirection="column">
      <T tone="title">{`Approvals — ${list.total ?? "…"} pending (oldest first)${list.page ? ` · page ${list.page + 1}` : ""}${selected.size ? ` · ${selected.size} selected` : ""}`}</T>
      <T tone="dim">{cells(["", "HANDLE", "EMAIL", "VIA", "REGISTERED"], WIDTHS)}</T>
      {list.items.length === 0 && !list.loading && <T tone="dim">(no registrations awaiting approval)</T>}
      {detail && <Detail title={`Registration ${detail.handle}`} record={detail} rows={ui.bodyRows - 2} />}
      {!detail &&
        shown.visible.map((u, j) => {
          const i = j + shown.offset;
          return (
            <T key={u.did} tone={i === row ? "accent" : undefined}>
              {(i === row ? "›" : " ") + cells([selected.has(u.did) ? "[x]" : "[ ]", u.handle, u.email, u.createdVia, shortTime(u.createdAt)], WIDTHS)}
            </T>
          );
        })}
      {current && <T tone="dim">{`  ${current.did}${current.inviteCode ? ` · invite ${current.inviteCode}` : ""}`}</T>}
      <ErrorLine error={error} />
      {rejecting && (
        <Form
          title={`Reject ${rejecting.handle}`}
          busy={busy}
          fields={[{ name: "reason", label: "Reason", hint: "optional; Enter rejects" }]}
          onSubmit={(v) => void reject(rejecting, (v.reason ?? "").trim())}
          onCancel={() => {
            ui.log(`✘ Cancelled: reject ${rejecting.handle}`, "warn");
            setRejecting(undefined);
          }}
        />
      )}
      {list.hasNext && <T tone="dim">more: n / PgDn</T>}
    </Box>
  );
}

export const approvalsScreen: ScreenDef = {
  key: "2",
  title: "Approvals",
  roles: ["admin", "moderator"],
  keys: [
    ...LIST_KEYS,
    ["Enter / Esc", "open the row's details / back"],
    ["a", "approve the registration"],
    ["x", "reject (asks a reason)"],
    ["Space", "select"],
    ["A", "approve the selected (or the current one)"],
  ],
  actions: [
    { label: "Approve the current registration", key: "a" },
    { label: "Reject the current registration", key: "x" },
    { label: "Approve the selected registrations", key: "A" },
    { label: "Refresh", key: "r" },
  ],
  Component: Approvals,
};
