#!/usr/bin/env bash
# Encoding benchmark: a 60 s 1920x1080p30 clip encoded with the built-in
# AdaptiveStreaming preset, once through encode.Encoder.Encode (ffprobe,
# planning, one ffmpeg run, naming, .ism/.ismc and metadata) and once as
# the bare ffmpeg command line Encode runs, one after the other. Prints the
# command line and wall/CPU time of both (CPU = user+system of all child
# processes, so Encode's ffprobe runs count as overhead).
#
# Usage: bench/encode.sh            (LOCKSTREAM_BENCH_SPEED=ultrafast for a quick run)
# Needs: go, ffmpeg.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v ffmpeg >/dev/null || { echo "bench/encode.sh: missing ffmpeg (apt-get install -y ffmpeg)" >&2; exit 1; }
go test -run '^$' -bench BenchmarkAdaptiveStreaming1080p -benchtime 1x -timeout 2h ./internal/encode/
