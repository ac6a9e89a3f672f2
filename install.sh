#!/usr/bin/env bash
# install.sh: build ofpds from this checkout and install the binary (optionally with a hardened systemd unit).
# Usage: ./install.sh [--prefix DIR] [--systemd] [--print-unit] [--help]
#   --prefix DIR   where the binary goes (default ~/.local/bin; /usr/local/bin when run as root)
#   --systemd      also create the ofpds system user, /var/lib/ofpds and /etc/systemd/system/ofpds.service
#                  (root only; prints how to start it, never starts anything itself)
#   --print-unit   print the systemd unit that --systemd would write, and exit
# DESTDIR=/some/root stages every system path under that root and skips user creation (packaging, tests).
# Idempotent: running it again rebuilds and replaces the binary in place.
set -euo pipefail

say() { printf '%s\n' "$*" >&2; }
die() { say "install.sh: $*"; exit 1; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix=""
systemd=0
print_unit=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    --systemd) systemd=1; shift ;;
    --print-unit) print_unit=1; shift ;;
    # Only the comment block at the top, without its "#": never a line of the script itself.
    -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

destdir="${DESTDIR:-}"
is_root=0; [ "$(id -u)" = "0" ] && is_root=1
if [ -z "$prefix" ]; then
  if [ "$is_root" = 1 ]; then prefix="/usr/local/bin"; else prefix="$HOME/.local/bin"; fi
fi
data_dir="/var/lib/ofpds"
conf_dir="/etc/ofpds"
# The systemd unit; --print-unit shows it without building or installing anything.
unit_text() {
  cat <<UNIT
[Unit]
Description=ofpds - OpenFederation Personal Data Server
Documentation=https://github.com/openfederation/ofpds
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=ofpds
Group=ofpds
Environment=OFPDS_CONFIG=${conf_dir}/config.toml
ExecStart=${prefix}/ofpds serve --config ${conf_dir}/config.toml
Restart=on-failure
RestartSec=5
# Exit code 78 means a configuration error: restarting cannot fix it.
RestartPreventExitStatus=78
KillSignal=SIGTERM
TimeoutStopSec=20
UMask=0077

# Hardening. (No MemoryDenyWriteExecute: Bun's JavaScript JIT needs writable+executable pages.)
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
# The data dir is the config file's data_dir (set by \`ofpds init --data-dir\`); the unit never overrides it.
# If you choose another data dir, add it here so the sandbox lets the server write it.
ReadWritePaths=${data_dir}
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
CapabilityBoundingSet=
AmbientCapabilities=

[Install]
WantedBy=multi-user.target
UNIT
}
if [ "$print_unit" = 1 ]; then unit_text; exit 0; fi
if [ "$systemd" = 1 ] && [ "$is_root" != 1 ] && [ -z "$destdir" ]; then
  die "--systemd needs root (it creates a system user and writes /etc/systemd/system)"
fi

cd "$here"

# 1. Bun: use one on PATH, else the pinned npm package (a devDependency) installed below.
# DESTDIR is ours alone: npm reacts to it (an up-to-date install takes a minute), so it is unset for npm.
if command -v npm >/dev/null 2>&1; then
  say "==> Installing dependencies (npm install)"
  env -u DESTDIR npm install --no-audit --no-fund >&2
  bun="$here/node_modules/.bin/bun"
elif command -v bun >/dev/null 2>&1; then
  say "==> Installing dependencies (bun install)"
  env -u DESTDIR bun install >&2
  bun="$(command -v bun)"
else
  die "needs Node.js with npm (https://nodejs.org) or Bun; install one and run again"
fi
[ -x "$bun" ] || die "Bun was not installed by npm install ($bun missing)"

# 2. Build the single executable.
say "==> Building dist/ofpds with Bun $("$bun" --version)"
"$bun" scripts/build.ts >&2

# 3. Install atomically: copy beside the target, then rename, so a running server keeps its old inode.
target_dir="${destdir}${prefix}"
mkdir -p "$target_dir"
tmp="$target_dir/.ofpds.new.$$"
cp dist/ofpds "$tmp"
chmod 0755 "$tmp"
mv -f "$tmp" "$target_dir/ofpds"
say "==> Installed $prefix/ofpds ($("$target_dir/ofpds" --version))"
case ":$PATH:" in *":$prefix:"*) ;; *) say "    note: $prefix is not on your PATH" ;; esac

# 4. Optional systemd service.
if [ "$systemd" = 1 ]; then
  unit_dir="${destdir}/etc/systemd/system"
  if [ -z "$destdir" ]; then
    if ! id ofpds >/dev/null 2>&1; then
      useradd --system --home-dir "$data_dir" --no-create-home --shell /usr/sbin/nologin ofpds
      say "==> Created system user ofpds"
    fi
  else
    say "==> DESTDIR set: not creating the ofpds user"
  fi
  mkdir -p "${destdir}${data_dir}" "${destdir}${conf_dir}" "$unit_dir"
  chmod 0700 "${destdir}${data_dir}"
  chmod 0700 "${destdir}${conf_dir}"
  if [ -z "$destdir" ]; then chown ofpds:ofpds "${destdir}${data_dir}" "${destdir}${conf_dir}"; fi
  unit_text > "$unit_dir/ofpds.service"
  chmod 0644 "$unit_dir/ofpds.service"
  say "==> Wrote $unit_dir/ofpds.service"
  say ""
  say "Next steps:"
  say "  ${prefix}/ofpds init --config ${conf_dir}/config.toml --data-dir ${data_dir}"
  say "  chown -R ofpds:ofpds ${conf_dir} ${data_dir}"
  say "  systemctl daemon-reload && systemctl enable --now ofpds"
  say "  journalctl -u ofpds -f"
fi
