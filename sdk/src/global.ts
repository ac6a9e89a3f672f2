// The IIFE entry served at /sdk/v1.js: exposes the SDK as the global `OpenFederation`, then announces itself.
import * as OpenFederation from "./index.ts";

declare global {
  // eslint-disable-next-line no-var
  var OpenFederation: typeof import("./index.ts");
}

globalThis.OpenFederation = OpenFederation;
// Pages that load the script with `async`/`defer` wait for this event instead of polling for the global.
if (typeof dispatchEvent === "function") dispatchEvent(new CustomEvent("openfederation:ready", { detail: OpenFederation }));
