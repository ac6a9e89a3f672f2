// The TUI shell: login gate, screen navigation, help overlay, action log above the live region, status line, size guard.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Box, Static, useApp, useInput } from "ink";
import { Help } from "./components/help.tsx";
import { Palette, type PaletteEntry } from "./components/palette.tsx";
import { Login } from "./components/login.tsx";
import { describeError } from "./lib/errors.ts";
import type { TuiApi } from "./lib/api.ts";
import { SHELL_KEYS, useGatedInput, type KeyHelp } from "./lib/keys.ts";
import { MIN_COLUMNS, MIN_ROWS, tooSmall, useTerminalSize } from "./lib/size.ts";
import { ColourContext, T, type Tone } from "./lib/theme.tsx";
import { realTicker, type Ticker } from "./lib/ticker.ts";
import { UiContext, type Ui } from "./lib/ui.tsx";
import { SCREENS } from "./screens/index.ts";
import type { ScreenDef } from "./screens/types.ts";
import type { SavedSession } from "../cmd/_shared/session-store.ts";

export interface AppProps {
  api: TuiApi;
  ticker?: Ticker;
  colour?: boolean;
  screens?: ScreenDef[];
  /** lines to log before the first frame (session-store warnings) */
  notices?: string[];
}

/**
 * Header (title, tabs), status line, and rows kept free so the last logged actions stay in view
 * above the live region (Ink also redraws from scratch when the live region fills the terminal).
 */
const CHROME_ROWS = 6;

interface LogLine {
  id: number;
  line: string;
  tone?: Tone;
}

export function App({ api, ticker = realTicker, colour = true, screens = SCREENS, notices = [] }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize();
  const [session, setSession] = useState<SavedSession | undefined>(() => api.session());
  const loggedIn = useRef(Boolean(session));
  const [index, setIndex] = useState(0);
  /** the signed-in account's PDS roles; null when the server did not say (then nothing is disabled) */
  const [roles, setRoles] = useState<string[] | null>();
  const [help, setHelp] = useState(false);
  const [palette, setPalette] = useState(false);
  const [action, setAction] = useState<{ key: string; n: number }>();
  const [capture, setCapture] = useState(false);
  const [status, setStatus] = useState("");
  const nextId = useRef(0);
  const actionSeq = useRef(0);
  const [log, setLog] = useState<LogLine[]>(() => notices.map((line) => ({ id: nextId.current++, line: `! ${line}`, tone: "warn" })));

  const addLog = useCallback((line: string, tone?: Tone) => setLog((l) => [...l, { id: nextId.current++, line, tone }]), []);
  const small = tooSmall(size);
  const disabledWhy = (s: ScreenDef): string | undefined => {
    if (!roles || !s.roles || s.roles.some((r) => roles.includes(r))) return undefined;
    const staff = roles.filter((r) => r !== "user");
    return `${s.title} needs the ${s.roles.join(" or ")} role; ${session?.handle ?? "this account"} has ${staff.length ? `only ${staff.join(", ")}` : "no staff role"}.`;
  };
  const screen = screens[index] ?? screens[0]!;

  const ui: Ui = useMemo(
    () => ({
      api,
      ticker,
      log: addLog,
      status: setStatus,
      fail(err) {
        const shown = describeError(err);
        // A refused refresh removes the saved session (as in the CLI): sign in again here. Calls
        // still in flight fail the same way afterwards; only the first one is logged.
        if (loggedIn.current && !api.session()) {
          loggedIn.current = false;
          addLog(`✘ ${shown.line}: log in again`, "err");
          setSession(undefined);
        }
        return shown;
      },
      keysEnabled: !help && !capture && !small,
      setCapture,
      action,
      clearAction: () => setAction(undefined),
      bodyRows: size.rows - CHROME_ROWS,
    }),
    [api, ticker, addLog, help, capture, small, size.rows, action],
  );

  // Which screens this account may use: getSession's roles, read once per login.
  useEffect(() => {
    if (!session) return;
    setRoles(undefined);
    let live = true;
    api
      .query("com.atproto.server.getSession")
      .then((s) => {
        if (!live) return;
        const have = (s as { roles?: string[] }).roles ?? null;
        setRoles(have);
        // Start on the first screen the account may use.
        if (have) {
          const first = screens.findIndex((sc) => !sc.roles || sc.roles.some((r) => have.includes(r)));
          if (first > 0) setIndex((i) => (i === 0 ? first : i));
        }
      })
      .catch((err) => {
        if (!live) return;
        const shown = ui.fail(err);
        if (api.session()) addLog(`✘ Could not read this account's roles (every screen stays enabled): ${shown.line}`, "err");
        setRoles(null);
      });
    return () => {
      live = false;
    };
  }, [session?.did]); // eslint-disable-line react-hooks/exhaustive-deps

  // Ctrl-C always quits, whatever has the keys.
  useInput((input, key) => {
    if (key.ctrl && input === "c") exit();
  });

  useGatedInput(
    (input, key) => {
      if (help) {
        if (key.ctrl && input === "k") {
          setHelp(false);
          setPalette(true);
        } else if (key.escape || input === "?") setHelp(false);
        else if (input === "q") exit();
        return;
      }
      if (key.ctrl && input === "k") return setPalette(true);
      if (input === "?") return setHelp(true);
      if (input === "q") return exit();
      if (key.tab) return go(index + (key.shift ? screens.length - 1 : 1));
      const byKey = screens.findIndex((s) => s.key === input);
      if (byKey >= 0) return go(byKey);
      if (/^[4-7]$/.test(input)) setStatus(`Screen ${input} is not in this version; screens: ${screens.map((s) => `${s.key} ${s.title}`).join(", ")}`);
    },
    Boolean(session) && !capture && !small,
  );

  function go(i: number) {
    setIndex(((i % screens.length) + screens.length) % screens.length);
    setStatus("");
  }

  const shellKeys: KeyHelp = [[`1–${screens.length}, Tab / Shift-Tab`, `switch screen (${screens.map((s) => s.title).join(", ")})`], ...SHELL_KEYS.slice(1)];
  const Current = screen.Component;
  const paletteEntries: PaletteEntry[] = [
    ...screens.map((s, i) => ({ label: `Go to ${s.title} (${s.key})`, run: () => go(i) })),
    ...screens.flatMap((s, i) =>
      (disabledWhy(s) ? [] : (s.actions ?? [])).map((a) => ({
        label: `${s.title}: ${a.label} (${a.key})`,
        run: () => {
          if (i !== index) go(i);
          setAction({ key: a.key, n: ++actionSeq.current });
        },
      })),
    ),
    { label: "Help (?)", run: () => setHelp(true) },
    { label: "Quit (q)", run: () => exit() },
  ];

  return (
    <ColourContext.Provider value={colour}>
      <UiContext.Provider value={ui}>
        <Static items={log}>
          {(l) => (
            <T key={l.id} tone={l.tone} wrap>
              {l.line}
            </T>
          )}
        </Static>
        {small ? (
          <T
            tone="err"
            wrap
          >{`Terminal too small: ${size.columns}×${size.rows}; ofpds tui needs at least ${MIN_COLUMNS}×${MIN_ROWS}. Enlarge the window (the screen comes back), or press Ctrl-C to quit.`}</T>
        ) : !session ? (
          <Login
            onLoggedIn={(s) => {
              addLog(`✔ Logged in to ${api.server} as ${s.handle} (session saved for the CLI too)`, "ok");
              loggedIn.current = true;
              setSession(s);
            }}
          />
        ) : (
          <Box flexDirection="column" width={size.columns}>
            <T tone="title">{`ofpds tui · ${api.server} · ${session.handle}`}</T>
            <T>
              {screens
                .map((s, i) => {
                  const label = `${s.key} ${s.title}${disabledWhy(s) ? " (no access)" : ""}`;
                  return i === index ? `[${label}]` : ` ${label} `;
                })
                .join(" ")}
            </T>
            <Box flexDirection="column" maxHeight={size.rows - CHROME_ROWS} overflow="hidden">
              {help && (
                <Help
                  sections={[
                    { title: "Everywhere", keys: shellKeys },
                    { title: screen.title, keys: screen.keys },
                  ]}
                />
              )}
              {palette && <Palette entries={paletteEntries} rows={size.rows - CHROME_ROWS} onClose={() => setPalette(false)} />}
              {/* Hidden, not unmounted, under an overlay: the screen keeps its rows, selection and open form. */}
              <Box flexDirection="column" display={help || palette ? "none" : "flex"}>
                {roles === undefined ? <T tone="dim">loading…</T> : disabledWhy(screen) ? <T tone="warn" wrap>{`✘ ${disabledWhy(screen)}`}</T> : <Current />}
              </Box>
            </Box>
            <T tone="dim">{capture ? `${screen.title} · Esc cancels · Ctrl-C quits` : status || `${screen.title} · ? help · Ctrl-K palette · q quit`}</T>
          </Box>
        )}
      </UiContext.Provider>
    </ColourContext.Provider>
  );
}
