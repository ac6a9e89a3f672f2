// Colour for the TUI: one switch (NO_COLOR, OFPDS_NO_COLOR, TERM=dumb, --no-color); off means no SGR codes at all.
import { createContext, useContext, type ReactNode } from "react";
import { Text } from "ink";

export type Tone = "ok" | "err" | "warn" | "dim" | "accent" | "title";

const COLOURS: Record<Tone, string> = { ok: "green", err: "red", warn: "yellow", dim: "gray", accent: "cyan", title: "magenta" };

export const ColourContext = createContext(true);

/** The colour rule of the CLI (08 §1), for the terminal the TUI draws on. */
export function colourWanted(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag === false) return false;
  return !(env.NO_COLOR || env.OFPDS_NO_COLOR || env.TERM === "dumb");
}

/**
 * Text in a tone. Without colour nothing is styled (no bold or inverse either), so the screen
 * carries no escape codes; meaning never rests on colour alone (markers like "›", "✔", "✘" carry it).
 */
export function T({ tone, children, bold, wrap = false }: { tone?: Tone; bold?: boolean; wrap?: boolean; children: ReactNode }) {
  const colour = useContext(ColourContext);
  const mode = wrap ? "wrap" : "truncate-end";
  if (!colour || (!tone && !bold)) return <Text wrap={mode}>{children}</Text>;
  return (
    <Text wrap={mode} color={tone ? COLOURS[tone] : undefined} bold={bold}>
      {children}
    </Text>
  );
}
