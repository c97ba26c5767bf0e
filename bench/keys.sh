#!/bin/bash
# Key delivery throughput against the kit's trivial handler, without the
# kit's rate-limit problem (the kit cannot switch off the default key rate
# limits, so its own `keys=` run gets 429s): wrk -t1 -c32 on the HS256
# AES-128 key URL of a vs-nginx-vod kit data directory, then on khttp, and
# requests per server CPU-second (utime+stime from /proc/<pid>/stat).
#
#   bench/keys.sh LOCKSTREAM_BINARY LABEL
#
# KIT_DATA is a copy of a kit run's Lockstream data directory and KIT_BIN
# of its built tools (mkjwt, khttp), taken while the kit runs (it removes
# its work directory at exit): cp -a $W/lsdata $W/bin somewhere. The data
# directory is copied again per run. MSID and KID name the kit's HS256 key
# (its keys.txt shows the URL). Needs: wrk, curl.
set -u
BIN=$1 LABEL=$2
: "${KIT_DATA:?}" "${KIT_BIN:?}" "${MSID:?}" "${KID:?}"
SECS=${SECS:-10}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp -a "$KIT_DATA" "$tmp/lsdata"
LOCKSTREAM_DATA_DIR=$tmp/lsdata LOCKSTREAM_LOG_LEVEL=warn LOCKSTREAM_BOOTSTRAP_CLIENT_ID=vs-bench \
  LOCKSTREAM_BOOTSTRAP_CLIENT_SECRET=vs-bench-secret-0123456789 \
  "$BIN" serve --demo --api-listen 127.0.0.1:39280 --origin-listen 127.0.0.1:39281 --blob-listen 127.0.0.1:39282 \
  --ratelimit-keys-per-ip 0 --ratelimit-keys-per-token 0 >"$tmp/ls.log" 2>&1 &
pid=$!
for _ in $(seq 300); do curl -fs -o /dev/null --max-time 2 http://127.0.0.1:39280/readyz && break; sleep 0.1; done
HKEY=$(printf 'bench-hmac-key-0123456789abcdef0123456789' | base64 | tr -d '\n') # the kit's policy key
JWT=$("$KIT_BIN/mkjwt" "$HKEY" urn:bench urn:bench:aud)
URL="http://127.0.0.1:39280/keydelivery/$MSID/?kid=$KID"
n=$(curl -fsS -H "Authorization: Bearer $JWT" "$URL" | wc -c)
[ "$n" = 16 ] || { echo "key answer has $n bytes" >&2; kill "$pid"; exit 1; }
# utime+stime of the process (exited threads included), in ns
cpu() { awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%d", ($12 + $13) * 1e9 / hz}' /proc/"$1"/stat; }
c0=$(cpu $pid)
out=$(wrk -t1 -c32 -d"${SECS}s" --latency -H "Authorization: Bearer $JWT" "$URL")
c1=$(cpu $pid)
kill "$pid"; wait "$pid" 2>/dev/null
"$KIT_BIN/khttp" 127.0.0.1:39290 >/dev/null 2>&1 &
kp=$!; sleep 0.3
k0=$(cpu $kp); kout=$(wrk -t1 -c32 -d"${SECS}s" --latency http://127.0.0.1:39290/); k1=$(cpu $kp)
kill "$kp"; wait "$kp" 2>/dev/null
echo "$out" | grep -E "Non-2xx|Socket"
req=$(awk '/requests in/ {print $1}' <<<"$out"); rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out"); p99=$(awk '/ 99%/ {print $2}' <<<"$out")
kreq=$(awk '/requests in/ {print $1}' <<<"$kout"); krps=$(awk '/Requests\/sec/ {print $2}' <<<"$kout")
awk -v l="$LABEL" -v r="$rps" -v q="$req" -v c=$((c1 - c0)) -v p="$p99" -v kr="$krps" -v kq="$kreq" -v kc=$((k1 - k0)) 'BEGIN {
  printf "%s ls req/s=%.0f p99=%s req/cpu-s=%.0f | khttp req/s=%.0f req/cpu-s=%.0f | ratio req/s=%.3f req/cpu-s=%.3f\n",
    l, r, p, q / (c / 1e9), kr, kq / (kc / 1e9), r / kr, (q / (c / 1e9)) / (kq / (kc / 1e9)) }'
