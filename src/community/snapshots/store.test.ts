// Unit tests of the snapshot store: the CAR's commit info, durable writes that leave no partial file, path confinement.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { CarWriter } from "../../repo/car.ts";
import { tempDirs } from "../../../test/_support/process.ts";
import { carCommitInfo, fileStamp, SnapshotStore, SnapshotWriteError } from "./store.ts";

const dirs = tempDirs("ofpds-snapshot-store-");
const DID = "did:plc:abcdefghijklmnopqrstuvwx";

async function block(value: unknown): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = dagCbor.encode(value);
  return { cid: CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes };
}

/** A CAR shaped like the repo's: header naming the commit, the commit block first, then other blocks. */
async function repoCar(rev: string, extra = 3): Promise<Uint8Array> {
  const data = await block({ e: [], l: null });
  const commit = await block({ did: DID, version: 3, data: data.cid, rev, prev: null, sig: new Uint8Array(64) });
  const w = new CarWriter(commit.cid, 1);
  w.add(commit.cid.bytes, commit.bytes);
  w.add(data.cid.bytes, data.bytes);
  for (let i = 0; i < extra; i++) {
    const b = await block({ i, pad: "x".repeat(1000) });
    w.add(b.cid.bytes, b.bytes);
  }
  return w.take(true)!;
}

const streamOf = (bytes: Uint8Array, chunk = 100): ReadableStream<Uint8Array> => {
  let off = 0;
  return new ReadableStream({
    pull(c) {
      if (off >= bytes.byteLength) return c.close();
      c.enqueue(bytes.slice(off, off + chunk));
      off += chunk;
    },
  });
};

describe("carCommitInfo", () => {
  test("root and rev from the header and the first block", async () => {
    const car = await repoCar("3lzzzzzzzzz22");
    const info = carCommitInfo(car);
    expect(info.rev).toBe("3lzzzzzzzzz22");
    expect(info.rootCid).toStartWith("bafyrei");
  });
  test("a truncated prefix → SnapshotWriteError", async () => {
    const car = await repoCar("3lzzzzzzzzz22");
    expect(() => carCommitInfo(car.subarray(0, 50))).toThrow(SnapshotWriteError);
  });
});

describe("SnapshotStore.write", () => {
  test("writes <stamp>-<rev>.car with the SHA-256 and size of the bytes; no temp file stays", async () => {
    const store = new SnapshotStore(join(dirs(), "exports"));
    const car = await repoCar("3labc");
    const at = Date.UTC(2026, 11, 3, 13, 19, 35, 123);
    const w = await store.write(DID, streamOf(car), at);
    expect(w.storageKey).toBe(`${DID}/20261203T131935123Z-3labc.car`);
    expect(fileStamp(at)).toBe("20261203T131935123Z");
    const bytes = readFileSync(store.pathOf(w.storageKey));
    expect([w.sizeBytes, w.sha256, w.rev]).toEqual([car.byteLength, createHash("sha256").update(car).digest("hex"), "3labc"]);
    expect(bytes.equals(Buffer.from(car))).toBe(true);
    expect(readdirSync(join(store.root, DID))).toEqual([w.storageKey.split("/")[1]!]);
  });

  test("a stream failing halfway: SnapshotWriteError, no file left", async () => {
    const store = new SnapshotStore(join(dirs(), "exports"));
    const car = await repoCar("3labc");
    let n = 0;
    const failing = new ReadableStream<Uint8Array>({
      pull(c) {
        if (n++ === 3) return c.error(new Error("disk on fire"));
        c.enqueue(car.slice(0, 100));
      },
    });
    await expect(store.write(DID, failing, Date.now())).rejects.toBeInstanceOf(SnapshotWriteError);
    expect(readdirSync(join(store.root, DID))).toEqual([]);
  });

  test("the directory cannot be made: the CAR stream is cancelled, the error names no absolute path", async () => {
    const data = dirs();
    const store = new SnapshotStore(join(data, "exports"));
    await Bun.write(join(data, "exports"), "a file in the way");
    let cancelled = false;
    const car = new ReadableStream<Uint8Array>({ pull() {}, cancel() { cancelled = true; } });
    const err = (await store.write(DID, car, Date.now()).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(SnapshotWriteError);
    expect(err.message).toContain(`exports/${DID}`);
    expect(err.message).not.toContain(data);
    expect(cancelled).toBe(true);
  });

  test("sweep removes temp files and .car files no row names, and keeps the named ones", async () => {
    const store = new SnapshotStore(join(dirs(), "exports"));
    const kept = await store.write(DID, streamOf(await repoCar("3la")), Date.now());
    await Bun.write(join(store.root, DID, ".tmp-123456"), "torn");
    await Bun.write(join(store.root, DID, "20200101T000000000Z-3lold.car"), "orphan");
    await store.sweep(DID, new Set([kept.storageKey]));
    expect(readdirSync(join(store.root, DID))).toEqual([kept.storageKey.split("/")[1]!]);
  });

  test("storage keys cannot leave the exports directory", () => {
    const store = new SnapshotStore(join(dirs(), "exports"));
    expect(() => store.pathOf("../ofpds.sqlite")).toThrow();
    expect(() => store.pathOf(`${DID}/../../secrets.json`)).toThrow();
    expect(existsSync(store.root)).toBe(false);
  });
});
