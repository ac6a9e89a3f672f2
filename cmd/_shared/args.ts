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

/** Flags of every verb that talks to a server over XRPC (08 §1). */
export const clientArgs = {
  server: { type: "string", alias: "s", description: "Server URL (default $OFPDS_SERVER, else the saved session's server, else http://localhost:8080)" },
  timeout: { type: "string", description: "Request timeout in milliseconds (default 30000)" },
} as const satisfies ArgsDef;
