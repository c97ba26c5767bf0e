# syntax=docker/dockerfile:1
# SeaweedFS built from the version pinned in tools/seaweedfs (the one the
# tests run), for compose.yaml. Build context: the repository root.
ARG GO_VERSION=1.26.8
FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src/tools/seaweedfs
COPY tools/seaweedfs/ ./
RUN CGO_ENABLED=0 go build -trimpath -o /out/weed github.com/seaweedfs/seaweedfs/weed && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/weed /usr/local/bin/weed
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
EXPOSE 8333
ENTRYPOINT ["/usr/local/bin/weed"]
