// Where things live inside a backup archive and which data-dir files count as secrets.

/** Data-dir files that hold secrets (dev secrets, the dev admin password, the bootstrap admin's rotation key). */
export const DEV_SECRET_FILES = ["secrets.json", "dev-admin.txt", "bootstrap-admin-rotation-key.txt"] as const;

/** Data-dir entries a restore target may already contain and still count as empty (the data-set locks). */
export const LOCK_FILES = ["ofpds.lock", "ofpds.lock-journal", "plc.sqlite.lock", "plc.sqlite.lock-journal"] as const;
