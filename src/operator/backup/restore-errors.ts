// The refusals of `backup restore`, by name (the CLI maps each to its exit code).
export type RestoreErrorName = "ArchiveNotFound" | "DataDirNotEmpty" | "DatabaseNotEmpty" | "BackupCorrupt" | "SchemaTooNew" | "KeySecretMismatch";

/** A refused restore; nothing in the data directory was changed. */
export class RestoreError extends Error {
  constructor(message: string, readonly errorName: RestoreErrorName) {
    super(message);
    this.name = "RestoreError";
  }
}
