#!/usr/bin/env bash
# Runs a command with the project's Node.js 24 (provisioned by `scripts/provision.sh node`)
# first on PATH, so `node`, npm's scripts and every child process the command spawns run on
# it, whatever the system Node is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_bin="${IBMB_TOOLS_DIR:-$root/.tools}/node/bin"
[ -x "$node_bin/node" ] || bash "$root/scripts/provision.sh" node
export PATH="$node_bin:$root/node_modules/.bin:$PATH"
exec "$@"
