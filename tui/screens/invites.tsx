// Screen 3, Invites: list with a status filter (f), create (c: max uses, expiry, bound email, note), revoke (R, y/N).
import { useState } from "react";
import { Box, type Key } from "ink";
import { ConfirmYesNo } from "../components/confirm-yes-no.tsx";
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
import type { RequestBody } from "../../cmd/_shared/client.ts";
import type { ScreenDef } from "./types.ts";

export const INVITES_PAGE = 10;
/** `f` cycles through these; undefined lists every status */
export const INVITE_FILTERS = [undefined, "active", "expired", "exhausted", "revoked"] as const;
const CREATE_FIELDS = [
  { name: "maxUses", label: "Max uses", initial: "1" },
  { name: "expiresAt", label: "Expires", hint: "ISO date-time, e.g. 2027-01-31T00:00:00Z; empty = never" },
  { name: "boundTo", label: "Bound to email", hint: "optional" },
  { name: "note", label: "Note", hint: "optional" },
];
type Invite = Output<"net.openfederation.invite.list">["invites"][number];
const WIDTHS = [20, 9, 7, 16, 24];

/** The create form's values → the request; an input the server cannot accept is refused here with nothing sent. */
export function inviteRequest(v: Record<string, string>): RequestBody<"net.openfederation.invite.create"> | (ShownError & { field: string }) {
  const body: RequestBody<"net.openfederation.invite.create"> = {};
  const maxUses = (v.maxUses ?? "").trim();
  if (maxUses) {
    if (!/^[0-9]+$/.test(maxUses) || Number(maxUses) < 1)
      return { name: "InvalidRequest", line: `Max uses must be a whole number of at least 1 (got "${maxUses}") (InvalidRequest)`, field: "maxUses" };
    body.maxUses = Number(maxUses);
  }
  const expires = (v.expiresAt ?? "").trim();
  if (expires) body.expiresAt = expires;
  const bound = (v.boundTo ?? "").trim();
  if (bound) body.boundTo = bound;
  const note = (v.note ?? "").trim();
  if (note) body.note = note;
  return body;
}

function Invites() {
  const ui = useUi();
  const [getFilter, setFilter] = useRefState(0);
  const [error, setError] = useState<ShownError>();
  const [getDetail, setDetail] = useRefState<Invite | undefined>(undefined);
  const [getRow, setRow] = useRefState(0);
  const [getMode, setMode] = useRefState<"list" | "create" | "revoke">("list");
  const [getBusy, setBusy] = useRefState(false);
  const status = INVITE_FILTERS[getFilter()];
  const list = usePaged(
    async (cursor) => {
      const r = await ui.api.query("net.openfederation.invite.list", { limit: INVITES_PAGE, cursor, status });
      return { items: r.invites, cursor: r.cursor, total: r.total };
    },
    [status],
    (err) => setError(ui.fail(err)),
  );
  const row = getRow();
  const busy = getBusy();
  const detail = getDetail();
  const mode = getMode();
  const current: Invite | undefined = list.items[Math.min(row, list.items.length - 1)];

  /** Resolves to the field to fix when refused: ours, or the one the server's message names. */
  async function create(v: Record<string, string>): Promise<string | undefined> {
    const body = inviteRequest(v);
    if ("line" in body) {
      setError(body);
      return body.field;
    }
    setBusy(true);
    try {
      const inv = await ui.api.procedure("net.openfederation.invite.create", body);
      const extra = [`max uses ${inv.maxUses}`, inv.expiresAt && `expires ${inv.expiresAt}`, inv.boundTo && `for ${inv.boundTo}`, inv.note && `note "${inv.note}"`].filter(Boolean);
      ui.log(`✔ Created invite ${inv.code} (${extra.join(", ")})`, "ok");
      setError(undefined);
      setMode("list");
      await list.reload();
    } catch (err) {
      // The form stays open with what was typed, so the user can fix the field the server refused.
      const shown = ui.fail(err);
      setError(shown);
      setBusy(false);
      return CREATE_FIELDS.find((f) => shown.line.includes(f.name))?.name;
    }
    setBusy(false);
    return undefined;
  }

  async function revoke(inv: Invite) {
    setBusy(true);
    try {
      await ui.api.procedure("net.openfederation.invite.revoke", { code: inv.code });
      ui.log(`✔ Revoked invite ${inv.code}`, "ok");
      setError(undefined);
      await list.reload();
    } catch (err) {
      setError(ui.fail(err));
    }
    setBusy(false);
  }

  const onKey = (input: string, key: Key) => {
    if (getBusy() || getMode() !== "list") return;
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
    if (input === "f") {
      setRow(0);
      return setFilter((f) => (f + 1) % INVITE_FILTERS.length);
    }
    if (input === "c") return setMode("create");
    if (input === "R" && current) return setMode("revoke");
  };
  useGatedInput(onKey, ui.keysEnabled);
  useScreenAction(onKey);

  // Rows left for the list once the title, the detail/error lines and an open form are drawn.
  const shown = windowed(list.items, row, ui.bodyRows - (mode === "create" ? 12 : 5));
  return (
    <Box flexDirection="column">
      <T tone="title">{`Invites — ${list.total ?? "…"} ${status ?? "(all statuses)"}${list.page ? ` · page ${list.page + 1}` : ""} · f: filter`}</T>
      <T tone="dim">{" " + cells(["CODE", "STATUS", "USES", "EXPIRES", "BOUND TO / NOTE"], WIDTHS)}</T>
      {list.items.length === 0 && !list.loading && <T tone="dim">(no invites)</T>}
      {detail && <Detail title={`Invite ${detail.code}`} record={detail} rows={ui.bodyRows - 2} />}
      {!detail &&
        shown.visible.map((inv, j) => {
          const i = j + shown.offset;
          return (
            <T key={inv.code} tone={i === row ? "accent" : undefined}>
              {(i === row ? "›" : " ") +
                cells([inv.code, inv.status, `${inv.usesCount}/${inv.maxUses}`, shortTime(inv.expiresAt) || "never", [inv.boundTo, inv.note].filter(Boolean).join(" · ")], WIDTHS)}
            </T>
          );
        })}
      <ErrorLine error={error} />
      {mode === "create" && (
        <Form
          title="Create an invite"
          busy={busy}
          fields={CREATE_FIELDS}
          onSubmit={create}
          onCancel={() => {
            setError(undefined);
            setMode("list");
          }}
        />
      )}
      {mode === "revoke" && current && (
        <ConfirmYesNo
          question={`Revoke invite ${current.code}?`}
          onDone={(yes) => {
            setMode("list");
            if (yes) void revoke(current);
            else ui.log(`✘ Cancelled: revoke invite ${current.code}`, "warn");
          }}
        />
      )}
      {list.hasNext && <T tone="dim">more: n / PgDn</T>}
    </Box>
  );
}

export const invitesScreen: ScreenDef = {
  key: "3",
  title: "Invites",
  roles: ["admin", "moderator", "auditor"],
  keys: [...LIST_KEYS, ["Enter / Esc", "open the row's details / back"], ["f", "cycle the status filter"], ["c", "create an invite"], ["R", "revoke the invite (y/N)"]],
  actions: [
    { label: "Create an invite", key: "c" },
    { label: "Revoke the current invite", key: "R" },
    { label: "Cycle the status filter", key: "f" },
    { label: "Refresh", key: "r" },
  ],
  Component: Invites,
};
