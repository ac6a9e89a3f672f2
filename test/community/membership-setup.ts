// Membership test support: a second, in-process CommunityRepoWriter on the running server's data directory, for the
// records no method writes yet (delegations, role assignments, custom roles). It signs with the community's own key
// (decrypted with the dev secrets of that directory) and commits through the same managed write path and projections.
import { readFileSync } from "node:fs";
import { openTestDatabase } from "../_support/db.ts";
import { join } from "node:path";
import { KeyVault } from "../../src/identity/keys.ts";
import { RepoService, type WriteOp } from "../../src/repo/service.ts";
import { Sequencer } from "../../src/sequencer/sequencer.ts";
import { CommunityRepoWriter } from "../../src/community/writer.ts";
import { COL } from "../../src/community/permissions.ts";
import { createLogger } from "../../src/util/logger.ts";
import { testConfig } from "../xrpc/_app.ts";

export interface SideWriter {
  write(communityDid: string, ops: WriteOp[]): Promise<void>;
  delegate(communityDid: string, delegatorDid: string, delegateDid: string): Promise<void>;
  setRole(communityDid: string, memberDid: string, roleRkey: string): Promise<void>;
  close(): Promise<void>;
}

export async function sideWriter(dataDir: string): Promise<SideWriter> {
  const db = await openTestDatabase(dataDir);
  const secret = (JSON.parse(readFileSync(join(dataDir, "secrets.json"), "utf8")) as { KEY_ENCRYPTION_SECRET: string }).KEY_ENCRYPTION_SECRET;
  const vault = await KeyVault.open(db, secret);
  const repo = new RepoService({
    config: testConfig({ dataDir }),
    db,
    sequencer: new Sequencer(db),
    logger: createLogger({ level: "error" }),
    signingKeypair: async (did) => {
      const row = (await db.raw.get<{ ciphertext: Uint8Array }>("SELECT ciphertext FROM identity_keys WHERE did = ? AND purpose = 'identity.signing-key'", [did]))!;
      return vault.decryptKeypair("identity.signing-key", did, new Uint8Array(row.ciphertext));
    },
  });
  const writer = new CommunityRepoWriter(repo);
  const write = async (did: string, ops: WriteOp[]) => {
    await writer.write(did, ops);
  };
  return {
    write,
    delegate: (c, delegatorDid, delegateDid) =>
      write(c, [{ action: "put", collection: COL.delegation, rkey: delegatorDid, record: { $type: COL.delegation, delegatorDid, delegateDid, createdAt: new Date().toISOString() } }]),
    setRole: async (c, did, roleRkey) => {
      const current = (await repo.getRecord(c, COL.member, did))!.value as Record<string, unknown>;
      return write(c, [{ action: "put", collection: COL.member, rkey: did, record: { ...current, roleRkey } }]);
    },
    close: () => db.close(),
  };
}
