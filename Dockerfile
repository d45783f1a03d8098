# Valet as a shared sandbox in a container (docs/deploy.md). Three stages: the control panel is built with
# Node, the binary with Go — the same steps as `make bin/valet` — and the runtime image holds the binary
# alone, run by a user without privileges, with its data in the /data volume.
#
#   docker build -t valet .
#   docker run -d -p 8765:8765 -v valet-data:/data -e VALET_ADMIN_PASSWORD='…' valet \
#     serve --addr 0.0.0.0:8765 --data /data --tls --base-url https://valet.example:8765

FROM node:20-bookworm-slim AS panel
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM golang:1.26-bookworm AS binary
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=panel /src/frontend/dist ./frontend/dist
# modernc.org/sqlite is pure Go, so the binary is static and needs no C library at run time.
ARG VERSION=
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w ${VERSION:+-X main.version=$VERSION}" -o /out/valet .

FROM alpine:3.22
# ca-certificates: Valet fetches clients' jwks_uri over https. The uid is fixed so a bind-mounted /data
# can be given to it (chown 10001).
RUN apk add --no-cache ca-certificates \
 && adduser -D -H -u 10001 -s /sbin/nologin valet \
 && mkdir /data && chown valet:valet /data
COPY --from=binary /out/valet /usr/local/bin/valet
USER valet
VOLUME /data
EXPOSE 8765
# /api/status answers without signing in. The check runs inside the container, against itself on
# loopback, so it does not verify the local CA's certificate; it tries https (--tls) and then http.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD wget -q -O /dev/null --no-check-certificate https://127.0.0.1:8765/api/status \
   || wget -q -O /dev/null http://127.0.0.1:8765/api/status || exit 1
ENTRYPOINT ["valet"]
CMD ["serve", "--addr", "0.0.0.0:8765", "--data", "/data", "--tls", "--base-url", "https://localhost:8765"]
