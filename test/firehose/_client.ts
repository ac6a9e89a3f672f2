// Test support: a firehose consumer over a real WebSocket, decoding `{op,t}` header + DAG-CBOR body frames.
import * as dagCbor from "@ipld/dag-cbor";

export interface Frame {
  op: number;
  t?: string;
  body: any;
}

/** Splits one binary message into header and body. The header is tiny; find where it ends by trying prefixes. */
export function decodeFrame(bytes: Uint8Array): Frame {
  for (let n = 1; n <= Math.min(64, bytes.length); n++) {
    let header: { op: number; t?: string };
    try {
      header = dagCbor.decode(bytes.subarray(0, n)) as { op: number; t?: string };
    } catch {
      continue;
    }
    return { op: header.op, t: header.t, body: dagCbor.decode(bytes.subarray(n)) };
  }
  throw new Error("undecodable frame header");
}

export function firehoseUrl(pdsUrl: string, cursor?: number): string {
  const ws = pdsUrl.replace(/^http/, "ws");
  return `${ws}/xrpc/com.atproto.sync.subscribeRepos${cursor === undefined ? "" : `?cursor=${cursor}`}`;
}

export class FirehoseClient {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  closeCode: number | undefined;
  private waiters: Array<() => void> = [];

  constructor(pdsUrl: string, cursor?: number) {
    this.ws = new WebSocket(firehoseUrl(pdsUrl, cursor));
    this.ws.binaryType = "arraybuffer";
    this.opened = new Promise((resolve, reject) => {
      this.ws.addEventListener("open", () => resolve(), { once: true });
      this.ws.addEventListener("error", () => reject(new Error("websocket error before open")), { once: true });
    });
    // only marks the rejection handled (no unhandled-rejection noise for tests that never await it); awaiting `opened` still throws
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) =>
      this.ws.addEventListener("close", (e) => {
        this.closeCode = e.code;
        resolve({ code: e.code, reason: e.reason });
        this.wake();
      }),
    );
    this.ws.addEventListener("message", (e) => {
      this.frames.push(decodeFrame(new Uint8Array(e.data as ArrayBuffer)));
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  /** Resolves once `pred(frames)` holds; rejects after `timeoutMs` with what was received so far. */
  async until(pred: (frames: Frame[]) => boolean, timeoutMs = 15_000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.frames)) {
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode}) after ${this.frames.length} frames`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${this.frames.length} frames: ${JSON.stringify(this.frames.slice(-3).map((f) => [f.t, f.body?.seq]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.frames;
  }

  /** seqs of the sequenced frames received so far */
  seqs(): number[] {
    return this.frames.filter((f) => f.op === 1 && typeof f.body?.seq === "number").map((f) => f.body.seq);
  }

  close(): void {
    this.ws.close();
  }
}
