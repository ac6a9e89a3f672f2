// The directory's route table (§4), on one screen. Handlers are straight lines; errors become {message}.
import { Elysia } from "elysia";
import type { PlcHttpContext } from "./context.ts";
import { getExport } from "./export.ts";
import { postOperation } from "./post-op.ts";
import { getAuditLog, getData, getDocument, getLastOp, getLog } from "./read-routes.ts";
import { errorResponse, json, message } from "./respond.ts";

type Handler = (ctx: PlcHttpContext, request: Request) => Response | Promise<Response>;

export function createPlcApp(ctx: PlcHttpContext) {
  const run =
    (handler: Handler) =>
    async ({ request }: { request: Request }) => {
      try {
        return await handler(ctx, request);
      } catch (err) {
        return errorResponse(err, ctx.logger);
      }
    };

  const health: Handler = (c) =>
    c.store.healthy()
      ? json({ version: c.version })
      : json({ version: c.version, error: "Service Unavailable" }, 503);

  return (
    new Elysia()
      .get("/", () => json({ name: "ofpds plc", version: ctx.version }))
      .get("/_health", run(health))
      .get("/export", run(getExport))
      .get("/:did", run(getDocument))
      .get("/:did/data", run(getData))
      .get("/:did/log", run(getLog))
      .get("/:did/log/audit", run(getAuditLog))
      .get("/:did/log/last", run(getLastOp))
      // parse: "none" -- the handler reads the raw body itself to enforce the size cap and JSON rules.
      .post("/:did", run(postOperation), { parse: "none" })
      .onError(({ code, error }) => {
        if (code === "NOT_FOUND") return message(404, "Not Found");
        return errorResponse(error, ctx.logger);
      })
  );
}
