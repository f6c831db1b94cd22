# bigcommerce-mcp as a container image: a static, trimmed, version-stamped
# binary on a distroless base (CA certificates, no shell), run as non-root.
#
# Build:
#   docker build --build-arg VERSION=v1.2.3 -t bigcommerce-mcp .
#
# Run over stdio, the default, for MCP clients that start the container
# themselves (keep stdin open with -i):
#   docker run -i --rm -e BIGCOMMERCE_STORE_HASH -e BIGCOMMERCE_ACCESS_TOKEN bigcommerce-mcp
#
# Run over Streamable HTTP (/mcp; or --transport sse for /sse and /message).
# Inside a container the server must listen on 0.0.0.0, and the binary refuses
# a non-loopback address unless MCP_AUTH_TOKEN is set: clients then send
# "Authorization: Bearer <token>".
#   docker run --rm -p 8080:8080 -e MCP_AUTH_TOKEN -e BIGCOMMERCE_STORE_HASH -e BIGCOMMERCE_ACCESS_TOKEN \
#     bigcommerce-mcp --transport http --addr 0.0.0.0:8080
#
# Add --sandbox to try it against the built-in simulated store, without credentials.
#
# Writes are journaled for undo_change (README, "Undo") under /home/nonroot/.local/state:
# keep the journal across containers with a volume there
# (-v bigcommerce-mcp-journal:/home/nonroot/.local/state), or share one with --journal postgres://...
#
# e2e/dockerfile_test.go checks this file's structure and builds the binary
# with the exact build command below.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/bigcommerce-mcp .

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL io.modelcontextprotocol.server.name="io.github.bigcommerce-mcp/bigcommerce-mcp" \
      org.opencontainers.image.title="bigcommerce-mcp" \
      org.opencontainers.image.description="MCP server for a BigCommerce store's customer groups and bulk customer updates" \
      org.opencontainers.image.source="https://github.com/bigcommerce-mcp/bigcommerce-mcp" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/bigcommerce-mcp /bigcommerce-mcp
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/bigcommerce-mcp"]
