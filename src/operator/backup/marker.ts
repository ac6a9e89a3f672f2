// The last-backup marker in the data dir: written by `backup create`, read by doctor's 7-day check.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export const LAST_BACKUP_FILE = "last-backup.json";

export function recordBackup(dataDir: string, archive: string, createdAt: string): void {
  writeFileSync(join(dataDir, LAST_BACKUP_FILE), JSON.stringify({ archive, createdAt }, null, 2) + "\n", { mode: 0o600 });
}
