// Test support for the SDK browser suite: headless Chromium (never skipped), a static page server, request counts.
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import type { RunningPds } from "../_support/pds.ts";
import { waitFor } from "../_support/process.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Fails (does not skip) without Chromium: CI installs it (.ci/run), and a missing browser must not pass silently. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH; the SDK browser tests do not skip`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export interface PageServer {
  /** the origin registered on the partner key */
  origin: string;
  /** the same server under another name: a browser origin that is not on the key's list */
  otherOrigin: string;
  stop(): void;
}

/**
 * Serves one HTML page that loads the SDK from the PDS with a plain script tag, as a partner's site would.
 * A listener installed before the script records the `openfederation:ready` event.
 */
export function startPageServer(pdsUrl: string): PageServer {
  const html = `<!doctype html><meta charset="utf-8"><title>partner page</title>
<script>window.__ready = null; addEventListener("openfederation:ready", (e) => { window.__ready = typeof e.detail.createClient; });</script>
<script src="${pdsUrl}/sdk/v1.js"></script>`;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => new URL(req.url).pathname === "/" ? new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } }) : new Response("not found", { status: 404 }),
  });
  return { origin: `http://127.0.0.1:${server.port}`, otherOrigin: `http://localhost:${server.port}`, stop: () => server.stop(true) };
}

/** A fresh browser context (own localStorage) on `origin`, after the SDK announced itself. */
export async function openPage(browser: Browser, origin: string, opts: { clock?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  // The browser's clock is injected, so "near expiry" is reached by moving it, not by waiting.
  if (opts.clock) await page.clock.install();
  await page.goto(`${origin}/`);
  const ready = await page.evaluate(() => (window as unknown as { __ready: string | null }).__ready);
  if (ready !== "function") throw new Error(`openfederation:ready did not fire with the SDK (got ${ready})`);
  return page;
}

/** Requests the server logged (its one JSON line per request) with this method and XRPC method name. */
export function serverCount(pds: RunningPds, method: string, nsid: string): number {
  let n = 0;
  for (const line of pds.logs().split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const rec = JSON.parse(line) as { msg?: string; method?: string; path?: string };
      if (rec.method === method && rec.path === `/xrpc/${nsid}`) n++;
    } catch {
      /* a partial line still arriving */
    }
  }
  return n;
}

/** Waits until the server's log has caught up: a marker request's line appears after every earlier request's line. */
export async function logsSettled(pds: RunningPds): Promise<void> {
  const id = (await fetch(`${pds.url}/health`)).headers.get("x-request-id")!;
  await waitFor(async () => pds.logs().includes(id), 10_000, "the server's request log");
}
