// Test support: a tiny UDP DNS responder on loopback answering A, AAAA and TXT from a mutable table.
import { createSocket, type Socket } from "node:dgram";

export interface DnsTable {
  a: Map<string, string[]>;
  txt: Map<string, string[]>;
}

export interface TestDns extends DnsTable {
  address: string;
  queries: string[];
  stop(): Promise<void>;
}

function readName(buf: Buffer, off: number): [string, number] {
  const labels: string[] = [];
  while (buf[off]! !== 0) {
    const len = buf[off]!;
    labels.push(buf.subarray(off + 1, off + 1 + len).toString("ascii"));
    off += 1 + len;
  }
  return [labels.join(".").toLowerCase(), off + 1];
}

function encodeName(name: string): Buffer {
  return Buffer.concat([...name.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, "ascii")])), Buffer.from([0])]);
}

function answer(q: Buffer, table: DnsTable): Buffer {
  const [name, end] = readName(q, 12);
  const qtype = q.readUInt16BE(end);
  const question = q.subarray(12, end + 4);
  const rdatas: Array<[number, Buffer]> = [];
  if (qtype === 1) for (const ip of table.a.get(name) ?? []) if (!ip.includes(":")) rdatas.push([1, Buffer.from(ip.split(".").map(Number))]);
  if (qtype === 16) {
    for (const t of table.txt.get(name) ?? []) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < t.length; i += 255) {
        const c = Buffer.from(t.slice(i, i + 255), "utf8");
        chunks.push(Buffer.from([c.length]), c);
      }
      rdatas.push([16, Buffer.concat(chunks)]);
    }
  }
  const known = table.a.has(name) || table.txt.has(name);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8180 | (known ? 0 : 3), 2); // response, RD+RA, NXDOMAIN when unknown
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(rdatas.length, 6);
  const answers = rdatas.map(([type, rdata]) => {
    const rr = Buffer.alloc(10);
    rr.writeUInt16BE(type, 0);
    rr.writeUInt16BE(1, 2);
    rr.writeUInt32BE(0, 4); // TTL 0: the resolver must not cache test answers
    rr.writeUInt16BE(rdata.length, 8);
    return Buffer.concat([encodeName(name), rr, rdata]);
  });
  return Buffer.concat([header, question, ...answers]);
}

export async function startDns(): Promise<TestDns> {
  const table: DnsTable = { a: new Map(), txt: new Map() };
  const queries: string[] = [];
  const sock: Socket = createSocket("udp4");
  sock.on("message", (msg, rinfo) => {
    try {
      queries.push(readName(msg, 12)[0]);
      sock.send(answer(msg, table), rinfo.port, rinfo.address);
    } catch {
      /* ignore malformed */
    }
  });
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
  const { port } = sock.address();
  return { ...table, address: `127.0.0.1:${port}`, queries, stop: () => new Promise((r) => sock.close(() => r())) };
}

/** A loopback web host standing in for remote domains: answers each request with `documents.get(Host)`, records every Host asked. */
export function startWellKnownHost() {
  const hits: string[] = [];
  const documents = new Map<string, string>();
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const host = (req.headers.get("host") ?? "").replace(/:\d+$/, "");
      hits.push(host);
      const body = documents.get(host);
      return body === undefined ? new Response("nope", { status: 404 }) : new Response(body);
    },
  });
  return { port: server.port!, hits, documents, stop: () => server.stop(true) };
}
