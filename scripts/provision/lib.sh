# Shared by the provisioning scripts (sourced, not run): logging, progress for long
# steps, and Debian packages installed on demand.

log() { printf '[provision] %s\n' "$*" >&2; }

# Runs "$@" and, while it runs, says every 15 s what is being done and for how long, so a
# first run that compiles or downloads for minutes is never silent. Keeps the exit code.
with_progress() {
  local what="$1" start=$SECONDS pid status
  shift
  log "$what"
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 15); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    kill -0 "$pid" 2>/dev/null && log "… still $what ($((SECONDS - start)) s)"
  done
  wait "$pid" && status=0 || status=$?
  log "done: $what ($((SECONDS - start)) s)"
  return "$status"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
    log "need root (or sudo) to run: $*"
    return 1
  fi
}

# ensure_debian PACKAGE:PATH ...: installs each PACKAGE whose PATH is missing, with one
# apt-get (an `apt-get update` only when the lists are too old to find them). Names the
# packages to install by hand when it cannot.
ensure_debian() {
  local need=() spec
  for spec in "$@"; do
    [ -x "${spec#*:}" ] || [[ " ${need[*]} " == *" ${spec%%:*} "* ]] || need+=("${spec%%:*}")
  done
  [ ${#need[@]} -eq 0 ] && return 0
  local install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}")
  if ! command -v apt-get >/dev/null; then
    log "missing: ${need[*]} (Debian packages); install them with your package manager"
    return 1
  fi
  quiet_apt() { as_root "$@" >/dev/null 2>"${TMPDIR:-/tmp}/ibmb-apt.err"; }
  if ! with_progress "installing Debian packages ${need[*]}" quiet_apt "${install[@]}"; then
    with_progress "refreshing Debian package lists (apt-get update)" quiet_apt apt-get update -q || true
    with_progress "installing Debian packages ${need[*]}" quiet_apt "${install[@]}" || {
      cat "${TMPDIR:-/tmp}/ibmb-apt.err" >&2
      log "could not install Debian packages ${need[*]}: run \`apt-get install ${need[*]}\` as root"
      return 1
    }
  fi
  for spec in "$@"; do
    [ -x "${spec#*:}" ] || {
      log "${spec#*:} still missing after installing ${spec%%:*}"
      return 1
    }
  done
}
