#!/usr/bin/env bash
# Stops a Kannel started by scripts/kannel/start.sh DIR: the pids listed in DIR/pids,
# each only while it is still the program it was started as.
set -euo pipefail

DIR=${1:?usage: stop.sh DIR}
[ -f "$DIR/pids" ] || exit 0

ours() { [ "$(cat "/proc/$1/comm" 2>/dev/null || true)" = "$2" ]; }

# smsbox and fakesmsc first, so bearerbox is not left waiting for its boxes.
mapfile -t entries < <(tac "$DIR/pids")
for entry in "${entries[@]}"; do
  read -r pid name <<<"$entry"
  ours "$pid" "$name" && kill -TERM "$pid" 2>/dev/null || true
done

for entry in "${entries[@]}"; do
  read -r pid name <<<"$entry"
  for _ in $(seq 50); do
    ours "$pid" "$name" || break
    sleep 0.1
  done
  if ours "$pid" "$name"; then
    echo "kannel: $name ($pid) ignored SIGTERM, killing" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
done
rm -f "$DIR/pids"
