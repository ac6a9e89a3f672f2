// Shared by the community transfer suites: an account that lives on server S and has migrated to D with its DID.
import { Secp256k1Keypair } from "@atproto/crypto";
import * as plcLib from "@did-plc/lib";
import { call, invite, ok, PASSWORD, uniq, type Env } from "../account/_support.ts";

/** An account on S moved to D (same DID): the owner must be a local account on both sides. */
export async function ownerOnBoth(S: Env, D: Env, plcUrl: string) {
  const name = uniq("own");
  const reg = await ok(call(S.url, "com.atproto.server.createAccount", { body: { handle: `${name}.test`, email: `${name}@example.org`, password: PASSWORD, inviteCode: await invite(S) } }));
  const primary = await Secp256k1Keypair.import(reg.primaryRotationKey.privateKeyHex);
  const { token } = await ok(call(S.url, "com.atproto.server.getServiceAuth", { token: reg.accessJwt, params: { aud: D.serviceDid, lxm: "com.atproto.server.createAccount" } }));
  const dName = uniq("own");
  const acct = await ok(call(D.url, "com.atproto.server.createAccount", {
    body: { handle: `${dName}.test`, email: `${dName}@example.org`, password: PASSWORD, inviteCode: await invite(D), did: reg.did },
    headers: { authorization: `Bearer ${token}` },
  }));
  const creds = await ok(call(D.url, "com.atproto.identity.getRecommendedDidCredentials", { token: acct.accessJwt }));
  const lastOp = await (await fetch(`${plcUrl}/${reg.did}/log/last`)).json();
  const op = await plcLib.createUpdateOp(lastOp, primary, (prev) => ({ ...prev, rotationKeys: [primary.did(), ...creds.rotationKeys], verificationMethods: { atproto: creds.verificationMethods.atproto }, alsoKnownAs: creds.alsoKnownAs, services: creds.services }));
  await ok(call(D.url, "com.atproto.identity.submitPlcOperation", { token: acct.accessJwt, body: { operation: op } }));
  await ok(call(D.url, "com.atproto.server.activateAccount", { token: acct.accessJwt, body: {} }));
  return { did: reg.did as string, onS: reg.accessJwt as string, onD: acct.accessJwt as string };
}
