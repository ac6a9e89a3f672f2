// Everything the HTTP handlers share: store, writer, stream hub, limits, options.
import type { Logger } from "../../src/util/logger.ts";
import type { PlcStore } from "../store/store.ts";
import type { PlcWriter } from "../store/writer.ts";
import type { StreamHub } from "./stream.ts";

export interface PlcHttpContext {
  store: PlcStore;
  writer: PlcWriter;
  hub: StreamHub;
  logger: Logger;
  version: string;
  /** per-request facts the outer dispatcher learned before routing (client IP, POST budget) */
  requestInfo: WeakMap<Request, { ip: string; postOverLimit: boolean }>;
}
