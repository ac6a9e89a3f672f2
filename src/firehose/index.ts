// The firehose's public surface.
export { FirehoseService, MAX_SUBSCRIPTIONS_PER_IP } from "./service.ts";
export { Subscription } from "./subscription.ts";
export { errorFrame, eventFrame, infoFrame } from "./frames.ts";
