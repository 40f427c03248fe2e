#!/usr/bin/env bash
# Makes sure Debian's Prometheus (package `prometheus`: /usr/bin/prometheus and promtool)
# is installed, for the metrics tests (test/metrics/). Idempotent: does nothing when both
# binaries are there. Progress goes to stderr; the last line on stdout is the binary's path.
#
# The tests run their own Prometheus on a free 127.0.0.1 port with a temporary config and
# data directory. Where the package's init script could start the system-wide service,
# policy-rc.d (Docker's Debian images, this machine) blocks it; we never start or use it.
set -euo pipefail

PROMETHEUS=/usr/bin/prometheus
PROMTOOL=/usr/bin/promtool

log() { echo "prometheus: $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $*"
    return 1
  fi
}

if [ ! -x "$PROMETHEUS" ] || [ ! -x "$PROMTOOL" ]; then
  log "installing Debian package prometheus"
  install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus)
  # apt-get update only when the package lists are too old to find it.
  if ! as_root "${install[@]}" >&2; then
    as_root apt-get update -q >&2 || true
    as_root "${install[@]}" >&2 || {
      log "could not install Debian package prometheus with apt-get (see above)"
      exit 1
    }
  fi
  [ -x "$PROMETHEUS" ] && [ -x "$PROMTOOL" ] || {
    log "prometheus binaries still missing after install"
    exit 1
  }
fi
echo "$PROMETHEUS"
