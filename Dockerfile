# Lapor Bansos: a static, CGO-free binary on a distroless base, running as a non-root user with
# its data in a volume. Build: docker build -t laporbansos . (see README "Operating").
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/laporbansos . \
 && mkdir -p /out/var/lib/laporbansos/data /out/var/lib/laporbansos/backups

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/laporbansos /usr/local/bin/laporbansos
# The nonroot user (65532) owns the data; the directories are 0700 once the bot starts.
COPY --from=build --chown=65532:65532 /out/var/lib/laporbansos /var/lib/laporbansos
USER 65532:65532
ENV LAPOR_DATA_DIR=/var/lib/laporbansos/data \
    LAPOR_BACKUP_DIR=/var/lib/laporbansos/backups \
    LAPOR_HTTP_LISTEN=0.0.0.0:8080 \
    LAPOR_LOG_FORMAT=json
VOLUME ["/var/lib/laporbansos"]
EXPOSE 8080
# distroless has no shell or curl: the orchestrator probes http://<container>:8080/healthz.
ENTRYPOINT ["/usr/local/bin/laporbansos"]
CMD ["serve"]
