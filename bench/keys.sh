#!/bin/bash
# Key delivery throughput against the kit's trivial handler, without the
# kit's rate-limit problem (the kit cannot switch off the default key rate
# limits, so its own `keys=` run gets 429s): wrk -t1 -c32 on an AES-128
# key URL of a vs-nginx-vod kit data directory, with an HS256 token (the
# kit's policy) and with an RS256 token (a policy and locator this script
# adds through the management API), then on khttp, and requests per server
# CPU-second (utime+stime from /proc/<pid>/stat).
#
#   bench/keys.sh LOCKSTREAM_BINARY LABEL
#
# KIT_DATA is a copy of a kit run's Lockstream data directory and KIT_BIN
# of its built tools (mkjwt, khttp), taken while the kit runs (it removes
# its work directory at exit): cp -a $W/lsdata $W/bin somewhere. The data
# directory is copied again per run. MSID and KID name the kit's HS256 key
# (its keys.txt shows the URL). ALGS picks the tokens (default
# "HS256 RS256"); PPROF=PORT starts the server with --debug-pprof-listen.
# One server serves every ALGS run, then khttp runs once; each line's
# ratio is against that khttp run. Needs: wrk, curl, go (builds
# bench/rsjwt for RS256).
set -u
BIN=$1 LABEL=$2
: "${KIT_DATA:?}" "${KIT_BIN:?}" "${MSID:?}" "${KID:?}"
SECS=${SECS:-10} ALGS=${ALGS:-"HS256 RS256"}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp -a "$KIT_DATA" "$tmp/lsdata"
extra=()
[ -n "${PPROF:-}" ] && extra=(--debug-pprof-listen "127.0.0.1:$PPROF")
LOCKSTREAM_DATA_DIR=$tmp/lsdata LOCKSTREAM_LOG_LEVEL=${LOG_LEVEL:-warn} LOCKSTREAM_BOOTSTRAP_CLIENT_ID=vs-bench \
  LOCKSTREAM_BOOTSTRAP_CLIENT_SECRET=vs-bench-secret-0123456789 \
  "$BIN" serve --demo --api-listen 127.0.0.1:39280 --origin-listen 127.0.0.1:39281 --blob-listen 127.0.0.1:39282 \
  --ratelimit-keys-per-ip 0 --ratelimit-keys-per-token 0 "${extra[@]}" >"$tmp/ls.log" 2>&1 &
pid=$!
echo "$pid" >"${PIDFILE:-/dev/null}"
API=http://127.0.0.1:39280
for _ in $(seq 300); do curl -fs -o /dev/null --max-time 2 $API/readyz && break; sleep 0.1; done
die() { echo "$*" >&2; tail -5 "$tmp/ls.log" >&2; kill "$pid"; exit 1; }
ISS=urn:bench AUD=urn:bench:aud
if [[ " $ALGS " == *" RS256 "* ]]; then
  # An RS256 token policy and an AES-128 locator using it, on the kit's
  # asset, with the kit's bootstrap client (as the kit's run.sh does).
  (cd "$(dirname "$0")/.." && go build -o "$tmp/rsjwt" ./bench/rsjwt) || die "build rsjwt"
  read -r MOD EXP < <("$tmp/rsjwt" key "$tmp/rsa.pem") || die "rsjwt key"
  tok=$(curl -fsS --max-time 30 "$API/00000000-0000-0000-0000-00000000a11d/oauth2/v2.0/token" \
    -d grant_type=client_credentials -d client_id=vs-bench -d client_secret=vs-bench-secret-0123456789 \
    -d scope=https://management.lockstream.local/.default | sed -E 's/.*"access_token":"([^"]+)".*/\1/') || die "no management token"
  A=$API/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo
  call() { curl -fsS --max-time 60 -X "$1" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "$A/$2?api-version=2023-01-01" -d "${3:-}"; }
  call PUT contentKeyPolicies/bench-rsa '{"properties":{"description":"RS256 token","options":[{"name":"jwt","configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction","issuer":"'$ISS'","audience":"'$AUD'","restrictionTokenType":"Jwt","primaryVerificationKey":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyRsaTokenKey","modulus":"'"$MOD"'","exponent":"'"$EXP"'"}}}]}}' >/dev/null || die "RS256 policy PUT failed"
  call PUT streamingLocators/brsa '{"properties":{"assetName":"bench","streamingPolicyName":"Predefined_ClearKey","defaultContentKeyPolicyName":"bench-rsa"}}' >/dev/null || die "locator brsa failed"
  RKID=$(call POST streamingLocators/brsa/listContentKeys | grep -oE '"id":"[0-9a-f-]{36}"' | head -1 | cut -d'"' -f4)
  [ -n "$RKID" ] || die "locator brsa has no content key"
fi
HKEY=$(printf 'bench-hmac-key-0123456789abcdef0123456789' | base64 | tr -d '\n') # the kit's policy key
# utime+stime of the process (exited threads included), in ns (%.0f: mawk's %d stops at 2^31)
cpu() { awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.0f", ($12 + $13) * 1e9 / hz}' /proc/"$1"/stat; }
declare -A RPS REQ CPU P99
for alg in $ALGS; do
  case $alg in
  HS256) JWT=$("$KIT_BIN/mkjwt" "$HKEY" $ISS $AUD) k=$KID ;;
  RS256) JWT=$("$tmp/rsjwt" sign "$tmp/rsa.pem" $ISS $AUD) k=$RKID ;;
  *) die "unknown alg $alg" ;;
  esac
  URL="$API/keydelivery/$MSID/?kid=$k"
  n=$(curl -fsS -H "Authorization: Bearer $JWT" "$URL" | wc -c)
  [ "$n" = 16 ] || die "$alg key answer has $n bytes"
  c0=$(cpu $pid)
  out=$(wrk -t1 -c32 -d"${SECS}s" --latency -H "Authorization: Bearer $JWT" "$URL")
  c1=$(cpu $pid)
  echo "$out" | grep -E "Non-2xx|Socket"
  REQ[$alg]=$(awk '/requests in/ {print $1}' <<<"$out") RPS[$alg]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  P99[$alg]=$(awk '/ 99%/ {print $2}' <<<"$out") CPU[$alg]=$((c1 - c0))
done
kill "$pid"; wait "$pid" 2>/dev/null
"$KIT_BIN/khttp" 127.0.0.1:39290 >/dev/null 2>&1 &
kp=$!; sleep 0.3
k0=$(cpu $kp); kout=$(wrk -t1 -c32 -d"${SECS}s" --latency http://127.0.0.1:39290/); k1=$(cpu $kp)
kill "$kp"; wait "$kp" 2>/dev/null
kreq=$(awk '/requests in/ {print $1}' <<<"$kout"); krps=$(awk '/Requests\/sec/ {print $2}' <<<"$kout")
for alg in $ALGS; do
  awk -v l="$LABEL $alg" -v r="${RPS[$alg]}" -v q="${REQ[$alg]}" -v c="${CPU[$alg]}" -v p="${P99[$alg]}" -v kr="$krps" -v kq="$kreq" -v kc=$((k1 - k0)) 'BEGIN {
    printf "%s ls req/s=%.0f p99=%s req/cpu-s=%.0f | khttp req/s=%.0f req/cpu-s=%.0f | ratio req/s=%.3f req/cpu-s=%.3f\n",
      l, r, p, q / (c / 1e9), kr, kq / (kc / 1e9), r / kr, (q / (c / 1e9)) / (kq / (kc / 1e9)) }'
done
