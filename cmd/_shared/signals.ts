// Waits for SIGTERM/SIGINT, runs a graceful stop once, and exits at once (code 1) on a second signal.
import { EXIT } from "./errors.ts";
import type { Output } from "./output.ts";

export function untilSignal(stop: () => Promise<void>, out: Output): Promise<void> {
  return new Promise((resolve, reject) => {
    let signalled = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (signalled) {
        out.warn(`Received ${sig} again: exiting immediately`);
        process.exit(EXIT.runtime);
      }
      signalled = true;
      out.info(`Received ${sig}: finishing in-flight requests and shutting down (send it again to exit immediately)`);
      void stop().then(() => {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
        resolve();
      }, reject);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}
