// File access for configuration: "missing" is told apart from "permission denied", and each is named with its path.
import { accessSync, constants, readFileSync, statSync, type Stats } from "node:fs";
import { dirname } from "node:path";

/** One line naming what went wrong with `path`, or undefined for errors that are not about the path. */
export function pathProblem(err: unknown, path: string, what: string): string | undefined {
  const code = (err as { code?: string }).code;
  if (code === "EACCES" || code === "EPERM") return `permission denied: ${path} (${what}; fix its owner or mode, or run ofpds as the user that owns it)`;
  if (code === "ENOTDIR") return `${what} ${path}: a parent of this path is a file, not a directory`;
  if (code === "EISDIR") return `${what} ${path} is a directory, not a file`;
  if (code === "ELOOP") return `${what} ${path}: too many symbolic links`;
  return undefined;
}

/** stat(2) a path: undefined when it does not exist; any other failure is pushed onto `problems` as a named line. */
export function statPath(path: string, what: string, problems: string[]): Stats | undefined | null {
  try {
    return statSync(path);
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return undefined;
    problems.push(pathProblem(err, path, what) ?? `cannot read ${what} ${path} (${(err as Error).message})`);
    return null;
  }
}

/** Reads a text file, or pushes a named problem (permission denied, not a file, …) and returns undefined. */
export function readText(path: string, what: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    problems.push(pathProblem(err, path, what) ?? `cannot read ${what} ${path} (${(err as Error).message})`);
    return undefined;
  }
}

/**
 * Why a data dir cannot be used by this process, or undefined when it can: the dir itself must be readable,
 * writable and searchable; a dir that does not exist yet needs its nearest existing ancestor to be writable.
 */
export function dataDirProblem(dir: string): string | undefined {
  let path = dir;
  for (;;) {
    const problems: string[] = [];
    const st = statPath(path, "data dir", problems);
    if (st === null) return problems[0];
    if (st) {
      if (!st.isDirectory()) return `data dir ${dir}: ${path} is a file, not a directory`;
      try {
        accessSync(path, path === dir ? constants.R_OK | constants.W_OK | constants.X_OK : constants.W_OK | constants.X_OK);
      } catch (err) {
        return pathProblem(err, path, path === dir ? "data dir" : `parent of the data dir ${dir}`) ?? `data dir ${path}: ${(err as Error).message}`;
      }
      return undefined;
    }
    const parent = dirname(path);
    if (parent === path) return undefined;
    path = parent;
  }
}
