// Remote members (spec 04 §9): accounts hosted on other servers call the remote-capable community methods with
// AT Protocol service auth (02 §9). This module verifies them (AuthResult kind `remote`), names the actor of a
// request for the handlers, and gives the handle / liveness of a remote member from its DID document.
import type { Config } from "../config/types.ts";
import type { AuthResult } from "../caller.ts";
import type { ServiceAuthVerifier } from "../identity/service-auth.ts";
import type { PlcClient } from "../identity/plc-client.ts";
import type { HandleResolver } from "../identity/handle-resolver.ts";
import { authRequired, invalidToken } from "../errors.ts";
import { pdsEndpointOf } from "../identity/service-auth.ts";

const INVALID_HANDLE = "handle.invalid";
const trimUrl = (u: string) => u.replace(/\/+$/, "");

export interface RemoteMemberDeps {
  config: Pick<Config, "remoteMembersEnabled" | "serviceUrl">;
  serviceAuth: Pick<ServiceAuthVerifier, "verify">;
  plc: Pick<PlcClient, "getDocument">;
  handles: Pick<HandleResolver, "handleIsCorrect">;
  /** the current handle of a local account (CommunityService.accountHandle) */
  accountHandle: (did: string) => Promise<string>;
}

/** The DID acting in a remote-capable method: a local account (any status the guard let through) or a remote actor. */
export function actorDid(auth: AuthResult): string {
  if (auth.kind === "account" || auth.kind === "remote") return auth.did;
  throw authRequired();
}

export class RemoteMembers {
  constructor(private readonly deps: RemoteMemberDeps) {}

  /**
   * Verifies a service-auth JWT for method `nsid` (aud = our service DID, lxm = nsid, exp, jti replay, 60/min per
   * iss: ServiceAuthVerifier). 401 when REMOTE_MEMBERS_ENABLED=false. An account hosted HERE must use its session
   * (its status gate and roles apply to it), so a DID whose document points at this server is refused.
   * The result carries no roles: remote actors never hold PDS roles.
   */
  async auth(token: string, nsid: string): Promise<Extract<AuthResult, { kind: "remote" }>> {
    const { config, serviceAuth, plc } = this.deps;
    if (!config.remoteMembersEnabled) throw invalidToken("Remote members are not enabled on this server");
    const { iss } = await serviceAuth.verify(token, nsid);
    const doc = await plc.getDocument(iss).catch(() => null);
    const pds = doc ? pdsEndpointOf(doc) : undefined;
    if (pds && trimUrl(pds) === trimUrl(config.serviceUrl)) throw invalidToken("Accounts hosted on this server use their session");
    return { kind: "remote", did: iss };
  }

  /**
   * Handle and liveness of an account hosted elsewhere, from its (cached) DID document: the handle is its
   * `alsoKnownAs` handle only when bidirectionally verified (02 §6, HandleResolver.handleIsCorrect), else
   * `handle.invalid`; it is active unless the DID was not found (tombstoned) at the last resolution. Never throws.
   */
  async actor(did: string): Promise<{ handle: string; active: boolean }> {
    let doc;
    try {
      doc = await this.deps.plc.getDocument(did);
    } catch {
      return { handle: INVALID_HANDLE, active: true }; // directory unavailable: nothing was found against them
    }
    if (!doc) return { handle: INVALID_HANDLE, active: false };
    const aka = doc.alsoKnownAs?.find((a) => a.startsWith("at://"))?.slice("at://".length);
    const verified = aka ? await this.deps.handles.handleIsCorrect(did, aka).catch(() => false) : false;
    return { handle: verified ? aka!.toLowerCase() : INVALID_HANDLE, active: true };
  }

  /** The member-record handle for `did` at join time: the local account's handle, or a remote actor's verified one. */
  async memberHandle(auth: AuthResult, did: string): Promise<string> {
    return auth.kind === "remote" ? (await this.actor(did)).handle : await this.deps.accountHandle(did);
  }
}
