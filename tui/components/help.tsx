// The help overlay (`?`): the shell's keys, then the current screen's.
import { Box } from "ink";
import type { KeyHelp } from "../lib/keys.ts";
import { T } from "../lib/theme.tsx";

export function Help({ sections }: { sections: Array<{ title: string; keys: KeyHelp }> }) {
  return (
    <Box flexDirection="column">
      <T tone="title">Help — keys</T>
      {sections.map((s) => (
        <Box key={s.title} flexDirection="column" marginTop={1}>
          <T tone="accent">{s.title}</T>
          {s.keys.map(([k, action]) => (
            <T key={k}>{`  ${k.padEnd(22)} ${action}`}</T>
          ))}
        </Box>
      ))}
      <Box marginTop={1}>
        <T tone="dim">Esc or ? closes this help</T>
      </Box>
    </Box>
  );
}
