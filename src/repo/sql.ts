// Transitional re-export: sqliteOf lives in src/db/sqlite.ts (removed once no importer is left).
export { sqliteOf } from "../db/sqlite.ts";
