#!/usr/bin/env bash
# Load benchmark of the SPEKE v2 endpoint: wrk posts requests for 10 new
# keys each (bench/speke.lua) to `lockstream serve --demo`, authenticated
# by a per-account API key (the encoder path, no JWT per request).
#
# Usage: bench/speke.sh [duration]   (default 10s)
# Needs: go, wrk, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
for t in go wrk curl; do
  command -v "$t" >/dev/null || { echo "bench/speke.sh: missing $t (apt-get install -y $t)" >&2; exit 1; }
done
dur=${1:-10s}
work=$(mktemp -d /tmp/lockstream-speke-bench.XXXXXX)
api=127.0.0.1:${SPEKE_BENCH_PORT:-18716}
go build -o "$work/lockstream" ./cmd/lockstream
LOCKSTREAM_DATA_DIR=$work/data LOCKSTREAM_LOG_LEVEL=warn \
LOCKSTREAM_API_LISTEN=$api LOCKSTREAM_ORIGIN_LISTEN=127.0.0.1:0 \
LOCKSTREAM_BOOTSTRAP_CLIENT_ID=bench LOCKSTREAM_BOOTSTRAP_CLIENT_SECRET=bench-secret-0123456789 \
  "$work/lockstream" serve --demo >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://$api/readyz" >/dev/null && break; sleep 0.2; done
token=$(curl -sf "http://$api/00000000-0000-0000-0000-00000000a11d/oauth2/v2.0/token" \
  -d grant_type=client_credentials -d client_id=bench -d client_secret=bench-secret-0123456789 \
  -d scope=https://management.lockstream.local/.default | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
acct=/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo
msid=$(curl -sf -H "Authorization: Bearer $token" "http://$api$acct?api-version=2022-08-01" | sed -E 's/.*"mediaServiceId":"([^"]+)".*/\1/')
key=$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"wrk"}' "http://$api/keyexchange/$msid/apiKeys" | sed -E 's/.*"key":"([^"]+)".*/\1/')
wrk -t2 -c16 -d"$dur" --latency -s bench/speke.lua \
  -H "X-Api-Key: $key" -H 'X-Speke-Version: 2.0' -H 'Content-Type: application/xml' \
  "http://$api/speke/v2/$msid"
