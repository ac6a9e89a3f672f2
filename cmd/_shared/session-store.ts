// Saved CLI sessions: <config dir>/sessions.json (dir 0700, file 0600), keyed by server URL, plus a cross-process lock.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import envPaths from "env-paths";
import { CliError, EXIT } from "./errors.ts";

export interface SavedSession {
  did: string;
  handle: string;
  accessJwt: string;
  refreshJwt: string;
  /** when this entry was written by a login or refresh; the newest entry's server is the default server */
  savedAt?: string;
}

export type SessionFile = Record<string, SavedSession>;

/** `$XDG_CONFIG_HOME/ofpds` on Linux (env-paths honours XDG_CONFIG_HOME). */
export function configDir(): string {
  return envPaths("ofpds", { suffix: "" }).config;
}

/** A lock older than this belongs to a crashed process and is taken over. */
export const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 15_000;

const octal = (mode: number) => "0" + (mode & 0o777).toString(8);

export class SessionStore {
  readonly path: string;
  readonly lockPath: string;

  constructor(
    readonly dir: string = configDir(),
    private readonly warn: (message: string) => void = () => {},
    /** stamps `savedAt` (which entry is newest); injectable so tests need not wait for the clock to tick */
    private readonly now: () => number = Date.now,
  ) {
    this.path = join(dir, "sessions.json");
    this.lockPath = join(dir, "sessions.json.lock");
  }

  /** Creates the directory 0700, or tightens an existing one that others can read. */
  private ensureDir(): void {
    if (!existsSync(this.dir)) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      chmodSync(this.dir, 0o700);
      return;
    }
    this.tighten(this.dir, 0o700);
  }

  private tighten(path: string, wanted: number): void {
    const mode = statSync(path).mode & 0o777;
    if ((mode & ~wanted) === 0) return;
    chmodSync(path, wanted);
    this.warn(`Tightened permissions of ${path} from ${octal(mode)} to ${octal(wanted)}: it holds login tokens`);
  }

  read(): SessionFile {
    if (!existsSync(this.path)) return {};
    this.ensureDir();
    this.tighten(this.path, 0o600);
    const text = readFileSync(this.path, "utf8");
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as SessionFile;
    } catch {
      // fall through
    }
    throw new CliError(`${this.path} is not a valid sessions file\nDelete it and run \`ofpds auth login\` again`, EXIT.runtime, "CorruptSessions");
  }

  /** Atomic replace: a 0600 temp file created exclusively, then renamed over the old file. */
  private write(file: SessionFile): void {
    this.ensureDir();
    const tmp = `${this.path}.${process.pid}.${Date.now()}.tmp`;
    const fd = openSync(tmp, "wx", 0o600);
    try {
      writeSync(fd, JSON.stringify(file, null, 2) + "\n");
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }

  get(server: string): SavedSession | undefined {
    return this.read()[server];
  }

  set(server: string, session: SavedSession): void {
    const file = this.read();
    file[server] = { ...session, savedAt: new Date(this.now()).toISOString() };
    this.write(file);
  }

  /** Returns whether an entry was removed. */
  delete(server: string): boolean {
    const file = this.read();
    if (!(server in file)) return false;
    delete file[server];
    this.write(file);
    return true;
  }

  /** The server of the most recently saved session, if any. */
  latestServer(): string | undefined {
    let best: [string, string] | undefined;
    for (const [server, s] of Object.entries(this.read())) {
      const at = s.savedAt ?? "";
      if (!best || at > best[1]) best = [server, at];
    }
    return best?.[0];
  }

  /**
   * Runs `fn` holding an exclusive lock across processes: the lock file is created with O_EXCL;
   * a lock older than STALE_LOCK_MS (its holder crashed) is removed and retaken.
   */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    this.ensureDir();
    const deadline = Date.now() + LOCK_WAIT_MS;
    let fd: number | undefined;
    while (fd === undefined) {
      try {
        fd = openSync(this.lockPath, "wx", 0o600);
      } catch (err) {
        if ((err as { code?: string }).code !== "EEXIST") throw err;
        let age = 0;
        try {
          age = Date.now() - statSync(this.lockPath).mtimeMs;
        } catch {
          continue; // released between open and stat
        }
        if (age > STALE_LOCK_MS || Date.now() > deadline) {
          try {
            unlinkSync(this.lockPath);
          } catch {
            // another process took it over first
          }
          continue;
        }
        await Bun.sleep(25 + Math.random() * 25);
      }
    }
    try {
      writeSync(fd, `${process.pid} ${new Date().toISOString()}\n`);
      closeSync(fd);
      return await fn();
    } finally {
      try {
        unlinkSync(this.lockPath);
      } catch {
        // already gone (taken over as stale)
      }
    }
  }
}
