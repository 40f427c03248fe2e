#!/usr/bin/env bash
# Provisions what this project runs on, without internet access beyond the package
# registries. Each part is cached and idempotent; everything lands in $IBMB_TOOLS_DIR
# (default .tools/, git-ignored):
#   node         Node.js 24 LTS: the system one when it is 24+, else the npm registry's
#                node-<os>-<arch> package (the binaries the `node` package installs)
#   cli          the Temporal CLI (dev server + UI): a `temporal` >= 1.5 on PATH, else
#                built from its Go module
#   test-server  Temporal's Java time-skipping test server, fetched with Maven, behind a
#                wrapper with a class-data-sharing archive (a cold JVM starts in < 1 s)
#   debian       the real parts the suites run, from Debian's packages: Kannel
#                (bearerbox, smsbox, fakesmsc), Chromium, Prometheus
#   schemathesis the OpenAPI fuzzer of `npm run test:chaos`, from PyPI into a venv
#                (not in the default set: only the chaos run needs it)
#   keycloak     Keycloak's server distribution (Maven Central's keycloak-quarkus-dist zip),
#                pre-built for this project's options, behind a wrapper that runs it on a
#                JDK >= 21 found on the machine (JAVA_HOME, else /usr/lib/jvm/*)
#   jaeger       Jaeger v2 (all-in-one: OTLP in, query API out) built from its Go module
#                at the version scripts/provision/jaeger/go.mod pins; the trace test reads
#                the service's traces back from it
#
#   scripts/provision.sh [PART ...]   (no PART: all of them, as `npm test` needs)
# `npm start` asks for `node cli` only: it needs neither Java nor Maven nor Debian packages.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${IBMB_TOOLS_DIR:-$root/.tools}"
bin="$tools/bin"
# shellcheck source=provision/lib.sh
source "$root/scripts/provision/lib.sh"
node_version="24.22.3"
cli_version="1.5.1"
cli_min_minor=5
schemathesis_version="4.32.5"
keycloak_version="26.7.3"
jaeger_version="$(sed -n 's:^[[:space:]]*github.com/jaegertracing/jaeger \(v[0-9.]*\).*:\1:p' "$root/scripts/provision/jaeger/go.mod")"
test_server_version="$(sed -n 's:.*<temporal.test-server.version>\(.*\)</temporal.test-server.version>.*:\1:p' "$root/scripts/provision/test-server-pom.xml")"
mkdir -p "$bin"

provision_node() {
  local dir="$tools/node" current
  current="$(node -p 'process.versions.node' 2>/dev/null || true)"
  if [ "${current%%.*}" -ge 24 ] 2>/dev/null; then
    mkdir -p "$dir/bin" && ln -sf "$(command -v node)" "$dir/bin/node"
    return
  fi
  if [ -x "$dir/$node_version/bin/node" ]; then
    ln -sfn "$node_version" "$dir/current" && mkdir -p "$dir/bin" && ln -sf "../current/bin/node" "$dir/bin/node"
    return
  fi
  local platform arch tmp
  platform="$(node -p 'process.platform')"
  arch="$(node -p 'process.arch')"
  tmp="$(mktemp -d)"
  # npm verifies the tarball against the registry's integrity hash.
  with_progress "fetching Node.js $node_version (npm package node-$platform-$arch, ~50 MB)" \
    npm pack "node-$platform-$arch@$node_version" --pack-destination "$tmp" --silent >/dev/null
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/*.tgz -C "$tmp/x" package/bin/node package/LICENSE
  rm -rf "${dir:?}/$node_version" && mkdir -p "$dir" && mv "$tmp/x/package" "$dir/$node_version"
  rm -rf "$tmp"
  ln -sfn "$node_version" "$dir/current" && mkdir -p "$dir/bin" && ln -sf "../current/bin/node" "$dir/bin/node"
  log "Node.js $("$dir/bin/node" --version) in $dir/bin"
}

# Our own build says "0.0.0-DEV (Server 1.29.1, …)"; a release says "temporal version X.Y.Z".
cli_is_ours() { "$1" --version 2>/dev/null | grep -Eq "temporal version $cli_version|Server 1\.29\.1[,)]"; }
cli_is_recent() {
  local v
  v="$("$1" --version 2>/dev/null | sed -n 's/^temporal version \([0-9]*\)\.\([0-9]*\)\..*/\1 \2/p')"
  [ -n "$v" ] && { set -- $v; [ "$1" -gt 1 ] || { [ "$1" -eq 1 ] && [ "$2" -ge "$cli_min_minor" ]; }; }
}

provision_cli() {
  if [ -x "$bin/temporal" ] && { cli_is_ours "$bin/temporal" || cli_is_recent "$bin/temporal"; }; then return; fi
  local onpath
  onpath="$(command -v temporal || true)"
  if [ -n "$onpath" ] && [ "$onpath" != "$bin/temporal" ] && { cli_is_ours "$onpath" || cli_is_recent "$onpath"; }; then
    log "using $onpath ($("$onpath" --version | head -1))"
    ln -sf "$onpath" "$bin/temporal"
    return
  fi
  command -v go >/dev/null || {
    log "the Temporal CLI >= 1.$cli_min_minor is needed: put \`temporal\` on PATH, or install Go 1.25+ to build it"
    exit 1
  }
  rm -f "$bin/temporal"
  GOBIN="$bin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" with_progress \
    "building Temporal CLI v$cli_version from its Go module (first run: a few minutes; Go caches it)" \
    go install "github.com/temporalio/cli/cmd/temporal@v$cli_version"
  cli_is_ours "$bin/temporal" || { log "built CLI does not report v$cli_version"; exit 1; }
}

provision_test_server() {
  local dir="$tools/test-server/$test_server_version"
  local wrapper="$bin/temporal-test-server"
  if [ ! -f "$dir/lib/temporal-test-server-$test_server_version.jar" ]; then
    command -v java >/dev/null || { log "Java 17+ is needed for the test server (npm test only)"; exit 1; }
    command -v mvn >/dev/null || { log "Maven is needed to fetch the test server (npm test only)"; exit 1; }
    rm -rf "$dir.tmp"
    with_progress "fetching io.temporal:temporal-test-server:$test_server_version with Maven" \
      mvn -q -B -Dstyle.color=never -f "$root/scripts/provision/test-server-pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$dir.tmp/lib"
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  # The wrapper takes the SDK's arguments (`<port>`) unchanged.
  cat >"$wrapper.tmp" <<WRAPPER
#!/usr/bin/env bash
# Generated by scripts/provision.sh: Temporal's Java time-skipping test server.
cds=()
if [ -f "$dir/classes.jsa" ]; then cds=(-XX:SharedArchiveFile="$dir/classes.jsa" -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off); fi
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "\${cds[@]}" \${TEMPORAL_TEST_SERVER_JAVA_OPTS:-} \\
  -cp "$dir/lib/*" io.temporal.testserver.TestServer "\$@"
WRAPPER
  chmod +x "$wrapper.tmp" && mv "$wrapper.tmp" "$wrapper"
  [ -f "$dir/classes.jsa" ] || build_cds_archive "$dir"
}

# Class-data sharing: record the classes a start-up loads once, so later JVMs map
# them instead of parsing ~40 jars (about 2.5 s down to under 1 s on 2 cores).
build_cds_archive() {
  local dir="$1" port pid
  port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  log "building class-data-sharing archive for the test server"
  TEMPORAL_TEST_SERVER_JAVA_OPTS="-XX:ArchiveClassesAtExit=$dir/classes.jsa.tmp -Xlog:cds=off -Xlog:cds+dynamic=off" \
    "$bin/temporal-test-server" "$port" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  sleep 1
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -s "$dir/classes.jsa.tmp" ]; then mv "$dir/classes.jsa.tmp" "$dir/classes.jsa"; else log "CDS archive not created; the test server will start without it"; fi
}

# Jaeger's module is a tool of scripts/provision/jaeger/go.mod (its go.sum pins every
# dependency); one directory per version, so a new pin builds anew and an old one is reused.
provision_jaeger() {
  local dir="$tools/jaeger/$jaeger_version"
  if [ ! -x "$dir/jaeger" ]; then
    command -v go >/dev/null || {
      log "Go 1.25+ is needed to build Jaeger from its Go module (npm test only)"
      exit 1
    }
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    (cd "$root/scripts/provision/jaeger" &&
      GOFLAGS="${GOFLAGS:-} -buildvcs=false -mod=readonly" with_progress \
        "building Jaeger $jaeger_version (v2) from its Go module (first run: 10-20 min on 2 cores; Go caches it)" \
        go build -trimpath -o "$dir.tmp/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger)
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  ln -sfn "../jaeger/$jaeger_version/jaeger" "$bin/jaeger"
}

# Every Debian package a suite runs for real, as PACKAGE:BINARY.
provision_debian() {
  ensure_debian \
    kannel:/usr/sbin/bearerbox kannel:/usr/sbin/smsbox kannel-extras:/usr/lib/kannel/test/fakesmsc \
    chromium:/usr/bin/chromium \
    prometheus:/usr/bin/prometheus prometheus:/usr/bin/promtool
}

# Schemathesis, pinned, in its own venv: `$tools/venv/bin/st`.
provision_schemathesis() {
  local venv="$tools/venv"
  if "$venv/bin/st" --version 2>/dev/null | grep -q "$schemathesis_version"; then return; fi
  python3 -c 'import venv, ensurepip' 2>/dev/null || ensure_debian python3-venv:/usr/share/doc/python3-venv/copyright
  python3 -m venv "$venv"
  with_progress "installing schemathesis $schemathesis_version from PyPI" \
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
}

# shellcheck source=provision/keycloak.sh
source "$root/scripts/provision/keycloak.sh"

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(node cli test-server debian keycloak jaeger)
for part in "${parts[@]}"; do
  case "$part" in
    node) provision_node ;;
    cli) provision_cli ;;
    test-server) provision_test_server ;;
    debian) provision_debian ;;
    schemathesis) provision_schemathesis ;;
    keycloak) provision_keycloak ;;
    jaeger) provision_jaeger ;;
    *) log "unknown part '$part' (node, cli, test-server, debian, keycloak, jaeger, schemathesis)"; exit 2 ;;
  esac
done
log "ready: ${parts[*]}"
