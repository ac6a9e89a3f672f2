// `serve --dev` only: POST /_dev/jobs/<name> runs a background job now and answers once that run has ended, so
// end-to-end tests drive jobs (the tombstone outbox) deterministically instead of waiting for their timers.
import type { JobScheduler } from "./scheduler.ts";

export const DEV_JOBS_PATH = "/_dev/jobs/";

export async function devRunJobResponse(jobs: Pick<JobScheduler, "runNow">, path: string): Promise<Response> {
  const name = decodeURIComponent(path.slice(DEV_JOBS_PATH.length));
  try {
    // joins a run already under way (the scheduler never overlaps a job with itself)
    await jobs.runNow(name);
  } catch {
    return Response.json({ error: "NotFound", message: `No job named ${name}` }, { status: 404 });
  }
  return Response.json({ ran: name });
}
