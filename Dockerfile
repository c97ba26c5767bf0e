# syntax=docker/dockerfile:1
#
# Lockstream images. Stages:
#   build    compiles a static binary (CGO_ENABLED=0; SQLite is pure Go)
#   encode   the binary plus ffmpeg/ffprobe on Debian slim, for nodes that
#            run encoding jobs:  docker build --target encode -t lockstream:encode .
#   runtime  (default, last) the binary alone on distroless, non-root:
#            docker build -t lockstream .
# Both run as uid 65532 and keep state in /var/lib/lockstream (with
# PostgreSQL and S3 configured nothing there needs to persist, provided the
# KEK and the blob signing key are given; see README "Scale out").

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/lockstream ./cmd/lockstream \
 && mkdir -p /out/data

FROM debian:bookworm-slim AS encode
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 65532 --no-create-home --home-dir /var/lib/lockstream lockstream \
 && install -d -o 65532 -g 65532 -m 0700 /var/lib/lockstream
COPY --from=build /out/lockstream /usr/local/bin/lockstream
ENV LOCKSTREAM_DATA_DIR=/var/lib/lockstream \
    LOCKSTREAM_API_LISTEN=0.0.0.0:8080 \
    LOCKSTREAM_ORIGIN_LISTEN=0.0.0.0:8081 \
    LOCKSTREAM_BLOB_LISTEN=0.0.0.0:10000 \
    LOCKSTREAM_LOG_FORMAT=json
EXPOSE 8080 8081 10000
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/lockstream"]
CMD ["serve"]

FROM gcr.io/distroless/static-debian12:nonroot AS runtime
COPY --from=build /out/lockstream /usr/local/bin/lockstream
COPY --from=build --chown=65532:65532 /out/data /var/lib/lockstream
ENV LOCKSTREAM_DATA_DIR=/var/lib/lockstream \
    LOCKSTREAM_API_LISTEN=0.0.0.0:8080 \
    LOCKSTREAM_ORIGIN_LISTEN=0.0.0.0:8081 \
    LOCKSTREAM_BLOB_LISTEN=0.0.0.0:10000 \
    LOCKSTREAM_LOG_FORMAT=json
EXPOSE 8080 8081 10000
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/lockstream"]
CMD ["serve"]
