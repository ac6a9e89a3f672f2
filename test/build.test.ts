// Build and install: Ink compiles into a standalone binary through our plugin; install.sh is idempotent.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO, tempDir } from "./_support/process.ts";
import { inkDevtoolsStub } from "../scripts/build.ts";
import pkg from "../package.json" with { type: "json" };

const dirs: Array<{ cleanup(): void }> = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

test("an Ink program compiles with the devtools stub and runs as a standalone binary", async () => {
  const d = tempDir("ofpds-ink-");
  dirs.push(d);
  const outfile = join(d.path, "ink-hello");
  const result = await Bun.build({
    entrypoints: [join(REPO, "test/fixtures/ink-hello.tsx")],
    plugins: [inkDevtoolsStub],
    compile: { outfile, autoloadDotenv: false, autoloadBunfig: false },
  });
  expect(result.success).toBe(true);
  const run = Bun.spawnSync([outfile], { env: { PATH: process.env.PATH ?? "" }, stdout: "pipe", stderr: "pipe" });
  expect(run.stderr.toString()).toBe("");
  expect(run.stdout.toString()).toContain("ink-ok");
  expect(run.exitCode).toBe(0);
}, 120_000);

describe("install.sh", () => {
  test("installs the binary and a hardened unit under DESTDIR; a second run upgrades in place", async () => {
    const d = tempDir("ofpds-install-");
    dirs.push(d);
    const run = () =>
      Bun.spawnSync(["bash", join(REPO, "install.sh"), "--prefix", "/usr/local/bin", "--systemd"], {
        cwd: REPO,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", DESTDIR: d.path },
        stdout: "pipe",
        stderr: "pipe",
      });
    const first = run();
    expect(first.exitCode).toBe(0);
    const bin = join(d.path, "usr/local/bin/ofpds");
    const version = Bun.spawnSync([bin, "--version"]);
    expect(version.stdout.toString().trim()).toBe(pkg.version);
    const unit = readFileSync(join(d.path, "etc/systemd/system/ofpds.service"), "utf8");
    for (const line of ["User=ofpds", "RestartPreventExitStatus=78", "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/ofpds", "ExecStart=/usr/local/bin/ofpds serve --config /etc/ofpds/config.toml"]) {
      expect(unit).toContain(line);
    }
    expect(statSync(join(d.path, "var/lib/ofpds")).mode & 0o777).toBe(0o700);
    const stderr = first.stderr.toString();
    expect(stderr).toContain("systemctl daemon-reload && systemctl enable --now ofpds");
    expect(stderr).toContain("DESTDIR set: not creating the ofpds user");

    const inode = statSync(bin).ino;
    const second = run();
    expect(second.exitCode).toBe(0);
    expect(statSync(bin).ino).not.toBe(inode); // replaced by rename, not rewritten in place
    expect(readFileSync(join(d.path, "etc/systemd/system/ofpds.service"), "utf8")).toBe(unit);
    expect(existsSync(join(d.path, "usr/local/bin/.ofpds.new"))).toBe(false);
  }, 300_000);

  test("unknown options are refused", () => {
    const r = Bun.spawnSync(["bash", join(REPO, "install.sh"), "--bogus"], { stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.toString()).toContain("unknown option --bogus");
  });
});
