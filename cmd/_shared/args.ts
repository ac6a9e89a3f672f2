// Shared argument fragments, spread into commands so each flag means the same everywhere.
import type { ArgsDef } from "citty";

export const jsonArg = {
  json: { type: "boolean", description: "Print one JSON document on stdout (messages go to stderr)" },
} as const satisfies ArgsDef;

export const globalArgs = {
  ...jsonArg,
  color: { type: "boolean", default: true, description: "Colour output (--no-color disables it)" },
  input: { type: "boolean", default: true, description: "Prompt for missing input on a terminal (--no-input never prompts)" },
  quiet: { type: "boolean", alias: "q", description: "Print only results and errors" },
} as const satisfies ArgsDef;

export const dataDirArg = {
  "data-dir": { type: "string", description: "Data directory (DATA_DIR)" },
} as const satisfies ArgsDef;

export const listenArgs = {
  port: { type: "string", description: "Port to listen on" },
  host: { type: "string", description: "Address to bind (default 127.0.0.1)" },
} as const satisfies ArgsDef;

export const yesArg = {
  yes: { type: "boolean", alias: "y", description: "Skip the confirmation prompt" },
} as const satisfies ArgsDef;
