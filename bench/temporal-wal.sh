#!/bin/sh
# The launcher's Temporal CLI, with the SQLite file in WAL mode (TEMPORAL_CLI points here in the bench).
exec "$BENCH_REAL_TEMPORAL_CLI" "$@" --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=NORMAL
