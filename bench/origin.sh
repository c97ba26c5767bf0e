#!/usr/bin/env bash
# Load benchmark of the streaming origin: a 1080p asset packaged just in
# time, measured with wrk over loopback.
#
# The server runs with GOMAXPROCS=1 pinned to CPU 1 and wrk on CPU 0, so
# the MB/s printed is per server core. Two passes per format:
#   cold  every segment requested once, right after a fresh start: sample
#         tables parsed from the blob on first use, every segment packaged
#         from range reads (nothing in the origin caches output);
#   warm  10 s of requests cycling through the same segments: metadata
#         cached, output still packaged per request.
# MB/cpu-s is megabytes delivered per second of the server's own CPU time
# (the sum of its threads' run time from /proc/<pid>/task/*/schedstat), the
# figure ../shared/bench/vs-nginx-vod compares: other load on the machine
# changes it far less than wall-clock MB/s.
#
# Usage: bench/origin.sh [formats...]   (default: m3u8-aapl m3u8-cmaf mpd-time-csf)
# Needs: go, ffmpeg, wrk, curl, taskset.
set -euo pipefail
cd "$(dirname "$0")/.."

formats=("$@")
((${#formats[@]})) || formats=(m3u8-aapl m3u8-cmaf mpd-time-csf)
for t in go ffmpeg wrk curl taskset; do
  command -v "$t" >/dev/null || { echo "bench/origin.sh: missing $t (apt-get install -y $t)" >&2; exit 1; }
done

work=${BENCH_DIR:-/tmp/lockstream-bench}
media=/tmp/lockstream-bench-1080p/bench_1920x1080_4000.mp4
mkdir -p "$work" "$(dirname "$media")"
if [[ ! -s $media ]]; then
  # The same recipe as mediatest.Bench1080p (the Go benchmarks' asset).
  ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=1920x1080:rate=30:duration=30 \
    -f lavfi -i sine=frequency=1000:sample_rate=48000:duration=30 \
    -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p -b:v 4M -maxrate 4M -bufsize 8M \
    -g 60 -keyint_min 60 -sc_threshold 0 -c:a aac -b:a 128k -ac 2 -movflags +faststart "$media.tmp.mp4"
  mv "$media.tmp.mp4" "$media"
fi
go build -o "$work/lockstream" ./cmd/lockstream

api=127.0.0.1:18080
origin=127.0.0.1:18081
id=bench
secret=bench-secret-0123456789
pid=
start() {
  LOCKSTREAM_DATA_DIR=$work/data LOCKSTREAM_LOG_LEVEL=warn GOMAXPROCS=1 \
  LOCKSTREAM_BOOTSTRAP_CLIENT_ID=$id LOCKSTREAM_BOOTSTRAP_CLIENT_SECRET=$secret \
    taskset -c 1 "$work/lockstream" serve --demo --api-listen $api --origin-listen $origin --blob-listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -fs http://$api/readyz >/dev/null && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}
# cpu_ns: the server's run time so far, all threads, in nanoseconds.
cpu_ns() { cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{s+=$1} END {printf "%d", s}'; }
stop() { [[ -n $pid ]] && kill "$pid" && wait "$pid" 2>/dev/null || true; pid=; }
trap stop EXIT

rm -rf "$work/data"
start
tok=$(curl -fs http://$api/00000000-0000-0000-0000-00000000a11d/oauth2/v2.0/token \
  -d grant_type=client_credentials -d client_id=$id -d client_secret=$secret \
  -d scope=https://management.lockstream.local/.default | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
A=http://$api/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo
V=api-version=2023-01-01
call() { curl -fs -X "$1" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "$A/$2?$V" -d "${3:-}"; }
call PUT assets/bench '{"properties":{}}' >/dev/null
sas=$(call POST assets/bench/listContainerSas '{"permissions":"ReadWrite","expiryTime":"'"$(date -u -d "+1 hour" +%Y-%m-%dT%H:%M:%SZ)"'"}' |
  sed -E 's/.*"assetContainerSasUrls":\["([^"]+)".*/\1/; s/\\u0026/\&/g')
curl -fs -X PUT -H 'x-ms-blob-type: BlockBlob' --data-binary @"$media" "${sas/\?//$(basename "$media")?}" >/dev/null
call PUT streamingLocators/bench '{"properties":{"assetName":"bench","streamingPolicyName":"Predefined_ClearStreamingOnly"}}' >/dev/null
loc=$(call POST streamingLocators/bench/listPaths | grep -oE '/[0-9a-f-]{36}/' | head -1)
base=http://$origin${loc}bench.ism

# segments FORMAT: every segment URL of the first video rendition.
segments() {
  local f=$1 m
  m=$(curl -fs "$base/manifest(format=$f)")
  case $f in
  m3u8*)
    local pl; pl=$(grep -v '^#' <<<"$m" | head -1)
    curl -fs "$base/$pl" | grep -v '^#' | sed "s#^#$base/${pl%/*}/#" ;;
  mpd*)
    # One video representation: expand its SegmentTimeline.
    local bw media t=0 d r
    bw=$(grep -oE '<Representation [^>]*bandwidth="[0-9]+"' <<<"$m" | head -1 | grep -oE 'bandwidth="[0-9]+"' | tr -dc 0-9)
    media=$(grep -oE 'media="[^"]+"' <<<"$m" | head -1 | sed -E 's/media="(.*)"/\1/; s/&amp;/\&/g')
    while read -r s; do
      [[ $s =~ t=\"([0-9]+)\" ]] && t=${BASH_REMATCH[1]}
      [[ $s =~ d=\"([0-9]+)\" ]] && d=${BASH_REMATCH[1]}
      r=0; [[ $s =~ r=\"([0-9]+)\" ]] && r=${BASH_REMATCH[1]}
      for _ in $(seq 0 "$r"); do
        echo "$base/$(sed "s/[$]Bandwidth[$]/$bw/; s/[$]Time[$]/$t/" <<<"$media")"; t=$((t + d))
      done
    done < <(sed -n '/<AdaptationSet[^>]*contentType="video"/,/<\/AdaptationSet>/p' <<<"$m" | grep -oE '<S [^>]*>')
    ;;
  esac
}

# The wrk script cycles through the URL list.
cat >"$work/urls.lua" <<'EOF'
local urls, i = {}, 0
for l in io.lines(os.getenv("URLS")) do urls[#urls + 1] = l end
request = function()
  i = i % #urls + 1
  return wrk.format("GET", urls[i])
end
EOF

printf '%-14s %-5s %9s %10s %12s %9s %9s\n' format pass segments MB/s segments/s p99 MB/cpu-s
for f in "${formats[@]}"; do
  segments "$f" | sed -E 's#^http://[^/]+##' >"$work/urls-$f"
  n=$(wc -l <"$work/urls-$f")
  ((n > 0)) || { echo "no segments for $f" >&2; exit 1; }
  # Cold: restart so nothing is cached, then one pass on one connection.
  stop; start
  # cold: one pass, one connection (curl fetches the list in one process).
  urls=()
  while read -r u; do urls+=(-o /dev/null "http://$origin$u"); done <"$work/urls-$f"
  c0=$(cpu_ns); t0=$(date +%s.%N)
  bytes=$(taskset -c 0 curl -fs -o /dev/null -w '%{size_download}\n' "${urls[@]}" | awk '{s+=$1} END {print s}')
  t1=$(date +%s.%N); c1=$(cpu_ns)
  printf '%-14s %-5s %9s %10.0f %12.1f %9s %9.0f\n' "$f" cold "$n" "$(awk "BEGIN{print $bytes/($t1-$t0)/1e6}")" "$(awk "BEGIN{print $n/($t1-$t0)}")" - "$(awk "BEGIN{print $bytes/1e6/(($c1-$c0)/1e9)}")"
  # warm: 10 s of wrk cycling through the list on four connections.
  c0=$(cpu_ns)
  out=$(URLS=$work/urls-$f taskset -c 0 wrk -t1 -c4 -d10s --latency -s "$work/urls.lua" "http://$origin" 2>&1)
  c1=$(cpu_ns)
  grep -q 'Non-2xx' <<<"$out" && { echo "$out" >&2; exit 1; }
  reqs=$(grep -oE '^ *[0-9]+ requests in [0-9.]+s' <<<"$out")
  count=${reqs%% requests*}; count=${count// /}
  secs=$(grep -oE '[0-9.]+s$' <<<"$reqs"); secs=${secs%s}
  bytes=$(grep -oE '[0-9.]+[KMG]?B read' <<<"$out" | sed -E 's/B read//')
  case $bytes in *G) bytes=$(awk "BEGIN{print ${bytes%G}*1073741824}") ;; *M) bytes=$(awk "BEGIN{print ${bytes%M}*1048576}") ;; *K) bytes=$(awk "BEGIN{print ${bytes%K}*1024}") ;; esac
  p99=$(grep -E '^ +99%' <<<"$out" | awk '{print $2}')
  printf '%-14s %-5s %9s %10.0f %12.1f %9s %9.0f\n' "$f" warm "$count" "$(awk "BEGIN{print $bytes/$secs/1e6}")" "$(awk "BEGIN{print $count/$secs}")" "$p99" "$(awk "BEGIN{print $bytes/1e6/(($c1-$c0)/1e9)}")"
done
