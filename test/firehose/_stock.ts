// Test support: the stock @atproto/sync Firehose (verification on) reading one of our servers, and a compact view of what it parsed.
import { IdResolver } from "@atproto/identity";
import { Firehose, type Event } from "@atproto/sync";

export interface Endpoints {
  url: string;
  plcUrl: string;
}

/** Plain fetch, except a handle's `https://<handle>/.well-known/atproto-did` goes to our server with that Host, as DNS would route it. */
function loopbackFetch(pds: Endpoints) {
  return ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname !== "/.well-known/atproto-did") return fetch(input, init);
    return fetch(`${pds.url}/.well-known/atproto-did`, { ...init, headers: { host: url.hostname } });
  }) as typeof fetch;
}

/** A stock consumer that records every parsed event and every error; `cursor` is what it sends as `?cursor=` on connect. */
export function stockConsumer(pds: Endpoints, cursor?: number) {
  const events: Event[] = [];
  const errors: Error[] = [];
  const waiters: Array<() => void> = [];
  const firehose = new Firehose({
    service: pds.url.replace(/^http/, "ws"),
    // the default fetch is SSRF-guarded (refuses loopback, and needs Node's undici); the test PLC is on loopback
    idResolver: new IdResolver({ plcUrl: pds.plcUrl, fetch: loopbackFetch(pds) }),
    getCursor: () => cursor,
    // short reconnect so a failure surfaces as an error instead of hanging the test
    subscriptionReconnectDelay: 50,
    handleEvent: (evt) => {
      events.push(evt);
      for (const w of waiters.splice(0)) w();
    },
    onError: (err) => {
      errors.push(err);
      for (const w of waiters.splice(0)) w();
    },
  });
  void firehose.start();
  async function until(pred: (evts: Event[]) => boolean): Promise<Event[]> {
    // event-driven, no clock: re-check each time the consumer hands us something
    while (!pred(events)) {
      if (errors.length > 0) throw new Error(`stock consumer errors: ${errors.map((e) => `${e.message}: ${String((e.cause as Error)?.message ?? e.cause)}`).join("; ")}`);
      await new Promise<void>((r) => waiters.push(r));
    }
    return events;
  }
  return { events, errors, until, destroy: () => firehose.destroy() };
}

/** One row per parsed event of `did`: [event, …] with collection, rkey and record text for ops, `active` for #account. */
export function summary(evts: Event[], did: string) {
  return evts
    .filter((e) => e.did === did)
    .map((e) => {
      if (e.event === "create" || e.event === "update") return [e.event, e.collection, e.rkey, (e.record as { text?: string }).text ?? null];
      if (e.event === "delete") return [e.event, e.collection, e.rkey];
      if (e.event === "account") return [e.event, e.active];
      return [e.event];
    });
}

