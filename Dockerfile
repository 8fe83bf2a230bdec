# syntax=docker/dockerfile:1
# hoadon cmd/server as a small static image. The same image runs every
# function: Cloud Run sets FUNCTION_TARGET per service (one function on every
# path); without it, as on the hybrid VM, the server serves each function at
# /<name>, the task API at /api/ and /health. It listens on $PORT (8080).
#
#   make image                      # or: docker build --platform linux/amd64 -t hoadon-server .
#   docker run -p 8080:8080 --env-file server.env hoadon-server
#
# Cloud Run and the hybrid VM run linux/amd64: the image is built for that
# platform whatever the host or --platform flag: the build stage runs on the
# host's platform and cross-compiles (Go needs no emulation), the final stage
# is pinned.

ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
# Dependencies first, so code changes do not invalidate this layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags="-s -w" -o /out/server ./cmd/server

# distroless/static: CA certificates (portal and Google APIs over TLS),
# tzdata, /etc/passwd with the nonroot user (65532); no shell, no libc.
FROM --platform=linux/amd64 gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/server /server
USER nonroot:nonroot
ENV PORT=8080
EXPOSE 8080
ENTRYPOINT ["/server"]
