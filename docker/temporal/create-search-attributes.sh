#!/bin/sh
# One-shot (temporal-namespace service, temporalio/admin-tools image): creates the
# namespace and registers the service's custom search attributes. SEARCH_ATTRIBUTES is a
# space-separated list of Name=Type. What already exists is left alone, so every
# `docker compose up` can run it again.
set -eu

ns="${TEMPORAL_NAMESPACE:-default}"
attrs="${SEARCH_ATTRIBUTES:?SEARCH_ATTRIBUTES must list Name=Type pairs}"
retention="${NAMESPACE_RETENTION:-72h}"

# temporalio/server (unlike the retired auto-setup image) creates no namespace itself.
if temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
  echo "namespace $ns already exists"
else
  temporal operator namespace create --namespace "$ns" --retention "$retention"
  echo "created namespace $ns (retention $retention)"
fi

# A new namespace reaches every frontend cache a moment after create returns.
tries=0
until temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "namespace $ns did not appear at ${TEMPORAL_ADDRESS:-127.0.0.1:7233}" >&2
    exit 1
  fi
  sleep 1
done

existing="$(temporal operator search-attribute list --namespace "$ns")"
for pair in $attrs; do
  name="${pair%%=*}"
  type="${pair#*=}"
  if printf '%s\n' "$existing" | grep -qw -- "$name"; then
    echo "search attribute $name already registered"
  else
    temporal operator search-attribute create --namespace "$ns" --name "$name" --type "$type"
    echo "registered search attribute $name ($type)"
  fi
done
