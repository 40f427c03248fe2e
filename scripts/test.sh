#!/usr/bin/env bash
# `npm test`: provisioning (scripts/provision.sh, every part) side by side with the static
# checks (`npm run static`: tsc, ESLint, Prettier), which need only Node and node_modules;
# then, once both are done, every jest layer (`npm run layers`). On a fresh clone
# provisioning is ~50 s of Go links and Keycloak's build, the checks ~30 s: together they
# take little more than the longer of the two (docs/testing.md). Warm, provisioning is < 1 s.
set -uo pipefail
cd "$(dirname "$0")/.."

# with-node.sh's Node 24 first: the checks run on it.
bash scripts/provision.sh node || exit 1
bash scripts/provision.sh &
provisioning=$!
bash scripts/with-node.sh npm run -s static
checks=$?
wait "$provisioning"
provisioned=$?
[ "$provisioned" -eq 0 ] || echo "scripts/provision.sh failed ($provisioned)" >&2
[ "$checks" -eq 0 ] && [ "$provisioned" -eq 0 ] || exit 1
exec bash scripts/with-node.sh npm run -s layers
