// GET /export/stream: WebSocket of sequenced ops; cursor backfill from the store, then live pushes.
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import type { Logger } from "../../src/util/logger.ts";
import type { PlcStore } from "../store/store.ts";
import type { CommittedOp } from "../store/writer.ts";
import { sequencedLine } from "./export.ts";
import { message, withCors } from "./respond.ts";

export const MAX_QUEUED_EVENTS = 500;
export const OUTDATED_CURSOR_MS = 7 * 24 * 60 * 60 * 1000;
const BACKFILL_PAGE = 500;
/** bytes buffered in the socket before we stop writing and queue instead */
const HIGH_WATER_BYTES = 1 << 20;
const CLOSE_POLICY = 1008;

interface StreamEvent {
  seq: number;
  text: string;
}

interface Subscriber {
  cursor: number | null;
  /** highest seq already sent; live events at or below it are duplicates of the backfill */
  lastSeq: number;
  backfilling: boolean;
  queue: StreamEvent[];
  closed: boolean;
}

type Socket = ServerWebSocket<Subscriber>;

export class StreamHub {
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly store: PlcStore,
    private readonly logger: Logger,
  ) {}

  /** Answer a request for /export/stream: 426 without upgrade, 400 on a bad cursor, else upgrade. */
  upgrade(request: Request, server: Server<Subscriber>): Response | undefined {
    if ((request.headers.get("upgrade") ?? "").toLowerCase() !== "websocket")
      return withCors(message(426, "upgrade required"));
    const raw = new URL(request.url).searchParams.get("cursor");
    let cursor: number | null = null;
    if (raw !== null) {
      if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) return withCors(message(400, "Invalid cursor parameter"));
      cursor = Number(raw);
    }
    const data: Subscriber = { cursor, lastSeq: cursor ?? 0, backfilling: cursor !== null, queue: [], closed: false };
    if (server.upgrade(request, { data })) return undefined;
    return withCors(message(400, "WebSocket upgrade failed"));
  }

  /** Live fan-out, called right after an op's transaction commits. */
  publish(op: CommittedOp): void {
    if (this.sockets.size === 0) return;
    const ev: StreamEvent = {
      seq: op.seq,
      text: sequencedLine({ did: op.did, cid: op.cid, seq: op.seq, created_at: op.createdAt, op_json: op.opJson }),
    };
    for (const ws of this.sockets) this.push(ws, ev);
  }

  closeAll(): void {
    for (const ws of this.sockets) ws.close(1001, "ServerShutdown");
    this.sockets.clear();
  }

  readonly handlers: WebSocketHandler<Subscriber> = {
    open: (ws) => {
      const sub = ws.data;
      if (sub.cursor === null) {
        sub.lastSeq = this.store.maxSeq();
        this.sockets.add(ws);
        return;
      }
      if (sub.cursor > this.store.maxSeq()) {
        this.close(ws, "FutureCursor");
        return;
      }
      // Register before backfilling so no op committed meanwhile is missed: live events queue up
      // and are de-duplicated against lastSeq when the backfill catches up.
      this.sockets.add(ws);
      void this.backfill(ws).catch((err) => {
        this.logger.warn("plc stream backfill failed", { err: String(err) });
        this.close(ws, "InternalError", 1011);
      });
    },
    message: () => {},
    drain: (ws) => {
      if (!ws.data.backfilling) this.flush(ws);
    },
    close: (ws) => {
      ws.data.closed = true;
      this.sockets.delete(ws);
    },
  };

  private async backfill(ws: Socket): Promise<void> {
    const sub = ws.data;
    let first = true;
    while (!sub.closed) {
      const rows = this.store.afterSeq(sub.lastSeq, BACKFILL_PAGE);
      if (rows.length === 0) break;
      if (first && Date.now() - Date.parse(rows[0]!.created_at) > OUTDATED_CURSOR_MS) {
        this.close(ws, "OutdatedCursor");
        return;
      }
      first = false;
      for (const r of rows) {
        if (sub.closed) return;
        ws.send(sequencedLine(r));
        sub.lastSeq = r.seq;
      }
      // Yield to the event loop (and to the socket) between pages; wait while the client is slow.
      while (!sub.closed && ws.getBufferedAmount() > HIGH_WATER_BYTES) await Bun.sleep(5);
      await Bun.sleep(0);
    }
    sub.backfilling = false;
    this.flush(ws);
  }

  private push(ws: Socket, ev: StreamEvent): void {
    const sub = ws.data;
    if (sub.closed) return;
    if (!sub.backfilling && sub.queue.length === 0 && ws.getBufferedAmount() <= HIGH_WATER_BYTES) {
      if (ev.seq > sub.lastSeq) {
        ws.send(ev.text);
        sub.lastSeq = ev.seq;
      }
      return;
    }
    sub.queue.push(ev);
    if (sub.queue.length > MAX_QUEUED_EVENTS) this.close(ws, "ConsumerTooSlow");
  }

  private flush(ws: Socket): void {
    const sub = ws.data;
    while (!sub.closed && sub.queue.length > 0 && ws.getBufferedAmount() <= HIGH_WATER_BYTES) {
      const ev = sub.queue.shift()!;
      if (ev.seq <= sub.lastSeq) continue;
      ws.send(ev.text);
      sub.lastSeq = ev.seq;
    }
  }

  private close(ws: Socket, reason: string, code = CLOSE_POLICY): void {
    ws.data.closed = true;
    this.sockets.delete(ws);
    ws.close(code, reason);
  }
}
