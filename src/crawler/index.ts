// The crawler notifier's public surface.
export { CrawlerNotifier, RENOTIFY_AFTER_MS, RETRY_SPACING_MS } from "./notifier.ts";
