// Builds and signs did:plc operations with the directory's own DAG-CBOR code (plc/ops), so the server
// never loads @did-plc/lib at run time (it pulls in ~20 MiB of HTTP and schema libraries).
import type { Keypair } from "@atproto/crypto";
import { didForGenesis, unsignedBytes } from "../../plc/ops/encoding.ts";

/** Signs the DAG-CBOR of the op without `sig`; @atproto/crypto keys produce compact low-S signatures. */
export async function signPlcOp<T extends Record<string, unknown>>(unsigned: T, signer: Keypair): Promise<T & { sig: string }> {
  const sig = await signer.sign(unsignedBytes(unsigned));
  return { ...unsigned, sig: Buffer.from(sig).toString("base64url") };
}

/** The genesis `plc_operation` of spec 02 §3, signed, with the DID it defines. */
export async function signedGenesis(opts: { signingKey: string; handle: string; pds: string; rotationKeys: string[]; signer: Keypair }) {
  const op = await signPlcOp(
    {
      type: "plc_operation",
      rotationKeys: opts.rotationKeys,
      verificationMethods: { atproto: opts.signingKey },
      alsoKnownAs: [`at://${opts.handle}`],
      services: { atproto_pds: { type: "AtprotoPersonalDataServer", endpoint: opts.pds } },
      prev: null,
    },
    opts.signer,
  );
  return { op, did: didForGenesis(op) };
}
