// Embedded migrations of the identity domain (ids are global; see src/migrations.ts).
import type { Migration } from "../db/migrations/index.ts";

export const IDENTITY_MIGRATIONS: Migration[] = [
  {
    id: 3,
    name: "identity_keys",
    sqlite: [
      `CREATE TABLE identity_keys (
        did TEXT NOT NULL,
        purpose TEXT NOT NULL,
        ciphertext BLOB NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (did, purpose)
      )`,
    ],
  },
];
