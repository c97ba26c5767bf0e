#!/bin/bash
# Two Lockstream builds side by side on the benchmark kit's data: MB per
# server CPU-second per format, interleaved (A, B, A, B, …), each run a
# fresh server on a fresh copy of the kit's data directory, one
# keep-alive connection fetching every segment URL of the format
# (the kit's fetch2), as ../shared/bench/vs-nginx-vod does for
# Lockstream vs nginx-vod. For a before/after table of one change in the
# same sitting, without nginx.
#
#   bench/ab-origin.sh BIN_A BIN_B [formats...]   (default: all five)
#
# KIT_DIR is a kit work directory kept with VS_KEEP=1 (its lsdata/,
# bin/fetch2 and urls/ls_<format>; the URLs name port 39081, so nothing
# else may listen there). ROUNDS (3) pairs per format, PASSES (40) passes
# per run. Needs: curl.
set -u
A=$1 B=$2
shift 2
formats=("$@")
((${#formats[@]})) || formats=(hls_ts hls_aes dash dash_cenc hls_cbcs)
: "${KIT_DIR:?KIT_DIR: a kit work directory kept with VS_KEEP=1}"
ROUNDS=${ROUNDS:-3} PASSES=${PASSES:-40}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

run() { # BIN FORMAT -> MB per server CPU-second
  rm -rf "$tmp/lsdata"
  cp -a "$KIT_DIR/lsdata" "$tmp/lsdata"
  LOCKSTREAM_DATA_DIR=$tmp/lsdata LOCKSTREAM_LOG_LEVEL=warn LOCKSTREAM_BOOTSTRAP_CLIENT_ID=ab \
    LOCKSTREAM_BOOTSTRAP_CLIENT_SECRET=ab-secret-0123456789 \
    "$1" serve --demo --api-listen 127.0.0.1:39080 --origin-listen 127.0.0.1:39081 --blob-listen 127.0.0.1:0 \
    >"$tmp/ls.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do curl -fs -o /dev/null --max-time 2 http://127.0.0.1:39080/readyz && break; sleep 0.1; done
  "$KIT_DIR/bin/fetch2" -urls "$KIT_DIR/urls/ls_$2" -pids "$pid" -passes 1 >/dev/null # warm-up
  "$KIT_DIR/bin/fetch2" -urls "$KIT_DIR/urls/ls_$2" -pids "$pid" -passes "$PASSES" |
    sed -nE 's/.*errs=([0-9]+).* MBps_per_core_sched=([0-9.]+).*/\1 \2/p' | awk '$1 != 0 {print "nan"; exit} {print $2}'
  kill "$pid"; wait "$pid" 2>/dev/null; pid=
}

printf '%-10s %-28s %-28s %s\n' format "A MB/cpu-s" "B MB/cpu-s" "B/A median"
for f in "${formats[@]}"; do
  as=() bs=() rs=()
  for _ in $(seq "$ROUNDS"); do
    a=$(run "$A" "$f"); b=$(run "$B" "$f")
    as+=("$a"); bs+=("$b"); rs+=("$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b / a}')")
  done
  med=$(printf '%s\n' "${rs[@]}" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
  printf '%-10s %-28s %-28s %s [%s]\n' "$f" "${as[*]}" "${bs[*]}" "$med" "$(printf '%s\n' "${rs[@]}" | sort -n | paste -sd' ')"
done
