// install.sh without building: --help shows only its usage text; the systemd unit leaves the data dir to the config.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../_support/process.ts";

const run = (...args: string[]) => {
  const r = Bun.spawnSync(["bash", join(REPO, "install.sh"), ...args], { cwd: REPO, env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent" }, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
};

test("install.sh --help prints the usage comment and no line of the script", () => {
  const r = run("--help");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("Usage: ./install.sh [--prefix DIR] [--systemd] [--print-unit] [--help]");
  const script = readFileSync(join(REPO, "install.sh"), "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"));
  for (const line of r.stdout.split("\n").filter(Boolean)) expect(script).not.toContain(line);
  expect(r.stdout).not.toContain("set -euo");
  expect(r.stdout).not.toContain("#");
});

test("the systemd unit does not override the config file's data dir", () => {
  const r = run("--print-unit", "--prefix", "/usr/local/bin");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("ExecStart=/usr/local/bin/ofpds serve --config /etc/ofpds/config.toml");
  expect(r.stdout).toContain("RestartPreventExitStatus=78");
  expect(r.stdout).not.toMatch(/^Environment=DATA_DIR/m);
  expect(r.stdout).not.toMatch(/^ExecStart=.*(--data-dir|DATA_DIR)/m);
  expect(r.stdout).toContain("ReadWritePaths=/var/lib/ofpds");
});
