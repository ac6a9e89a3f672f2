// The doctor's result shape (08 §3): one entry per check, printed as ✓ / ! / ✗ lines or as a JSON array.
export type CheckStatus = "ok" | "warn" | "fail";

export interface CheckResult {
  id: string;
  status: CheckStatus;
  message: string;
  hint?: string;
}

export const ok = (id: string, message: string): CheckResult => ({ id, status: "ok", message });
export const warn = (id: string, message: string, hint?: string): CheckResult => ({ id, status: "warn", message, ...(hint ? { hint } : {}) });
export const fail = (id: string, message: string, hint?: string): CheckResult => ({ id, status: "fail", message, ...(hint ? { hint } : {}) });
