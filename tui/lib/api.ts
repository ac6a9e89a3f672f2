// The TUI's view of a server: the CLI's XRPC client and saved session (public XRPC only, so remote servers work too).
import type { QueryArgs, RequestBody, XrpcClient } from "../../cmd/_shared/client.ts";
import type { SavedSession } from "../../cmd/_shared/session-store.ts";
import type { MethodId, Output } from "../../src/lexicon-types/index.ts";
import type { SessionOutput } from "../../src/lexicon-types/extensions.ts";

export class TuiApi {
  constructor(readonly client: XrpcClient) {}

  get server(): string {
    return this.client.server;
  }

  /** The saved CLI session for this server, if any (the same sessions.json as `ofpds auth login`). */
  session(): SavedSession | undefined {
    return this.client.savedSession();
  }

  query<N extends MethodId>(nsid: N, params: QueryArgs<N> = {}): Promise<Output<N>> {
    return this.client.query(nsid, params);
  }

  procedure<N extends MethodId>(nsid: N, body?: RequestBody<N>): Promise<Output<N>> {
    return this.client.procedure(nsid, body);
  }

  /** createSession, then saves the tokens exactly as `ofpds auth login` does. */
  async login(identifier: string, password: string): Promise<SavedSession> {
    const s: SessionOutput<"com.atproto.server.createSession"> = await this.client.procedure("com.atproto.server.createSession", { identifier, password }, "none");
    const saved: SavedSession = { did: s.did, handle: s.handle, accessJwt: s.accessJwt, refreshJwt: s.refreshJwt };
    this.client.store.set(this.server, saved);
    return saved;
  }
}
