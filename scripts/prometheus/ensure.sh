#!/usr/bin/env bash
# Makes sure Debian's Prometheus (package `prometheus`: /usr/bin/prometheus and promtool)
# is installed, for the metrics tests (test/metrics/); `npm test` provisions it up front
# (scripts/provision.sh debian), so this only installs when a suite runs on its own.
# The last line on stdout is the binary's path.
#
# The tests run their own Prometheus on a free 127.0.0.1 port with a temporary config and
# data directory; the package's system-wide service is never used.
set -euo pipefail
# shellcheck source=../provision/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../provision/lib.sh"

ensure_debian prometheus:/usr/bin/prometheus prometheus:/usr/bin/promtool
echo /usr/bin/prometheus
