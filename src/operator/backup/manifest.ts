// manifest.json of a backup archive (09 §6): what it holds and the SHA-256 of every other file in it.

export const MANIFEST_NAME = "manifest.json";
export const BACKUP_FORMAT = "ofpds-backup";
export const BACKUP_FORMAT_VERSION = 1;

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  /** the engine the backup was taken on; absent (older archives) = sqlite. Only a sqlite backup has db/ofpds.sqlite */
  engine?: "sqlite" | "postgres";
  formatVersion: number;
  ofpdsVersion: string;
  /** highest migration id of the database, and every applied id (a restore refuses ids this binary lacks) */
  schemaVersion: number;
  migrations: number[];
  serviceDid: string;
  hostname: string;
  /** the highest firehose seq this data set had issued when the snapshot was taken */
  firehoseSeq: number;
  createdAt: string;
  includesSecrets: boolean;
  /** row count per table of the JSON-lines dump (tables/<name>.jsonl) */
  tables: Record<string, number>;
  files: ManifestFile[];
}
