// Starting the bigcommerce-mcp binary under test and connecting the official
// TypeScript SDK client to it over each transport.
//
// The binary's path comes from BIGCOMMERCE_MCP_BIN (e2e_test.go builds it and
// sets it); the tests never build anything themselves.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

export const TRANSPORTS = ["stdio", "sse", "http"];

/** The path of the binary under test. */
export function binaryPath() {
  const bin = process.env.BIGCOMMERCE_MCP_BIN;
  assert.ok(bin, "BIGCOMMERCE_MCP_BIN must name the bigcommerce-mcp binary (go test ./e2e sets it)");
  return bin;
}

/** An environment for the binary with no real store credentials in it. */
function serverEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const key of ["BIGCOMMERCE_STORE_HASH", "BIGCOMMERCE_ACCESS_TOKEN", "BIGCOMMERCE_API_URL"]) delete env[key];
  if (!("MCP_AUTH_TOKEN" in extra)) delete env.MCP_AUTH_TOKEN;
  return env;
}

/** Fails on a report of the race detector (the binary is built with -race under `go test -race`). */
function assertNoDataRace(output) {
  assert.doesNotMatch(output, /WARNING: DATA RACE/, `the race detector found a data race in bigcommerce-mcp:\n${output}`);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const { port } = srv.address();
  srv.close();
  await once(srv, "close");
  return port;
}

/**
 * An HTTP server process: `bigcommerce-mcp --sandbox --transport sse|http`,
 * started and ready (GET /healthz answers 200).
 */
export class HTTPServer {
  /**
   * @param {"sse"|"http"} transport
   * @param {{args?: string[], env?: Record<string,string>}} [opts]
   */
  static async start(transport, { args = [], env = {} } = {}) {
    // The port was free when chosen, but another process may take it before
    // the server binds it: then try another.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const argv = ["--sandbox", "--transport", transport, "--addr", `127.0.0.1:${port}`, "--log-level", "warn", ...args];
      const proc = spawn(binaryPath(), argv, { env: serverEnv(env), stdio: ["ignore", "pipe", "pipe"] });
      const server = new HTTPServer(proc, base, transport);
      if (await server.#waitHealthy()) return server;
      assert.ok(attempt < 3 && /address already in use/.test(server.output), `bigcommerce-mcp exited before it was ready:\n${server.output}`);
    }
  }

  constructor(proc, base, transport) {
    this.proc = proc;
    this.base = base;
    this.transport = transport;
    this.output = "";
    this.exited = false;
    const collect = (chunk) => (this.output += chunk);
    proc.stdout.setEncoding("utf8").on("data", collect);
    proc.stderr.setEncoding("utf8").on("data", collect);
    proc.on("exit", () => (this.exited = true));
  }

  /** The MCP endpoint: /mcp for Streamable HTTP, /sse for SSE. */
  get url() {
    return new URL(this.transport === "sse" ? "/sse" : "/mcp", this.base);
  }

  /** Resolves true once GET /healthz answers 200, false if the process exits first. */
  async #waitHealthy() {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.exited) return false;
      try {
        const res = await fetch(new URL("/healthz", this.base));
        await res.body?.cancel();
        if (res.ok) return true;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    await this.stop();
    assert.fail(`bigcommerce-mcp did not answer GET /healthz within 15 s:\n${this.output}`);
  }

  /** Stops the server with SIGTERM, as a container runtime would, and checks it exits cleanly. */
  async stop() {
    if (this.exited) return;
    const exited = once(this.proc, "exit");
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 15_000);
    const [code, signal] = await exited;
    clearTimeout(timer);
    assertNoDataRace(this.output);
    assert.equal(signal, null, `bigcommerce-mcp was killed by ${signal} after SIGTERM:\n${this.output}`);
    assert.equal(code, 0, `bigcommerce-mcp exited with ${code} after SIGTERM:\n${this.output}`);
  }
}

/**
 * A connected SDK client and a way to close it and its server.
 * @param {"stdio"|"sse"|"http"} transport
 * @param {{args?: string[], env?: Record<string,string>, token?: string}} [opts]
 *   args and env go to the server; token is the bearer token the client sends.
 */
export async function connect(transport, { args = [], env = {}, token } = {}) {
  const client = new Client({ name: "bigcommerce-mcp-e2e", version: "1.0.0" });
  // Errors the client met outside any request, such as a line on stdout that
  // is not JSON-RPC: there must be none.
  const errors = [];
  client.onerror = (err) => errors.push(err);
  if (transport === "stdio") {
    const stdio = new StdioClientTransport({
      command: binaryPath(),
      args: ["--sandbox", "--log-level", "warn", ...args],
      env: serverEnv(env),
      stderr: "pipe",
    });
    let stderr = "";
    stdio.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    await client.connect(stdio);
    return {
      client,
      errors,
      stderr: () => stderr,
      async close() {
        await client.close();
        assertNoDataRace(stderr);
      },
    };
  }
  const server = await HTTPServer.start(transport, { args, env });
  try {
    await client.connect(clientTransport(server, token));
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    client,
    errors,
    server,
    stderr: () => server.output,
    async close() {
      await client.close();
      await server.stop();
    },
  };
}

/** An SDK client transport for an HTTP server, sending token as a bearer token if given. */
export function clientTransport(server, token) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  if (server.transport === "sse") {
    // The SSE transport opens the event stream with eventSourceInit and posts
    // messages with requestInit: both need the header.
    return new SSEClientTransport(server.url, {
      requestInit: { headers },
      eventSourceInit: {
        fetch: (url, init) => fetch(url, { ...init, headers: { ...init?.headers, ...headers } }),
      },
    });
  }
  return new StreamableHTTPClientTransport(server.url, { requestInit: { headers } });
}
