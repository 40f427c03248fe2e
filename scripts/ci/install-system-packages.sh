#!/usr/bin/env bash
# Debian packages the test suites run for real: Kannel (bearerbox, smsbox, fakesmsc) for
# the SMS path, Chromium for the Temporal UI test (test/ui/). Go, Java 17 and Maven are
# expected on the machine (see README).
set -euo pipefail
need=()
command -v bearerbox >/dev/null || need+=(kannel)
command -v fakesmsc >/dev/null || [ -x /usr/lib/kannel/test/fakesmsc ] || need+=(kannel-extras)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
fi
for tool in go java mvn node; do
  command -v "$tool" >/dev/null || { echo "missing $tool: install it first (see README)" >&2; exit 1; }
done
