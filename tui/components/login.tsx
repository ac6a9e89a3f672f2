// The login form shown when no CLI session is saved for the server; it saves the session as `ofpds auth login` does.
import { useState } from "react";
import { Box, useApp } from "ink";
import { Form } from "./form.tsx";
import { ErrorLine } from "./error-line.tsx";
import { describeError, type ShownError } from "../lib/errors.ts";
import { T } from "../lib/theme.tsx";
import { useUi } from "../lib/ui.tsx";
import type { SavedSession } from "../../cmd/_shared/session-store.ts";

export function Login({ onLoggedIn }: { onLoggedIn(s: SavedSession): void }) {
  const ui = useUi();
  const { exit } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError>();
  // Remounting the form after a failure clears the password and keeps the identifier.
  const [attempt, setAttempt] = useState(0);
  const [identifier, setIdentifier] = useState("");
  return (
    <Box flexDirection="column">
      <T tone="title">{`ofpds tui — log in to ${ui.api.server}`}</T>
      <T tone="dim">No saved session for this server (the TUI uses the same sessions as `ofpds auth login`).</T>
      <Form
        key={attempt}
        capture={false}
        title="Log in"
        busy={busy}
        focus={identifier ? "password" : "identifier"}
        fields={[
          { name: "identifier", label: "Handle, email or DID", initial: identifier },
          { name: "password", label: "Password", mask: true },
        ]}
        onCancel={() => exit()}
        onSubmit={async (v) => {
          if (!v.identifier?.trim() || !v.password) {
            setError({ name: "UsageError", line: "Enter both the handle (or email or DID) and the password (UsageError)" });
            return;
          }
          setBusy(true);
          try {
            const s = await ui.api.login(v.identifier.trim(), v.password);
            onLoggedIn(s);
          } catch (err) {
            setError(describeError(err));
            setIdentifier(v.identifier.trim());
            setAttempt((n) => n + 1);
            setBusy(false);
          }
        }}
      />
      <ErrorLine error={error} />
      <T tone="dim">Esc or Ctrl-C quits</T>
    </Box>
  );
}
