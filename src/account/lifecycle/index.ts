// Account lifecycle (deactivate/activate, migration in, checkAccountStatus, service auth, importRepo).
export { LifecycleService, CREATE_ACCOUNT_NSID, type LifecycleDeps } from "./service.ts";
export { precheckCreateAccount, toCreateAccountError } from "./create-errors.ts";
