// Public API of the did:plc directory library: the server, import and verify.
export { startPlcServer, type PlcServer, type PlcServerOptions } from "./server.ts";
export { importLog, type ImportReport, type ImportRejection } from "./import.ts";
export { verifyAll, type VerifyReport, type VerifyMismatch } from "./verify.ts";
export { PlcError, type PlcRule } from "./ops/errors.ts";
