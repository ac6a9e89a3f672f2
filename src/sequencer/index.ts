// The sequencer's public surface.
export { Sequencer, LocalFanout, type EventFanout } from "./sequencer.ts";
export type { CommitEventInput, EventType, RepoOp, SeqEvent } from "./events.ts";
