// @openfederation/sdk (spec 08 §5): the browser client for an ofpds server; zero runtime dependencies.
export { createClient, type Client, type ClientOptions, type User, type FetchOptions, type AuthListener } from "./client.ts";
export { memoryStorage, type StorageAdapter, type StorageOption } from "./storage.ts";
export * from "./errors.ts";
