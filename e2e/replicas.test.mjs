// Two `--transport http` replicas sharing limits through Redis, behind a
// round-robin proxy with no session affinity: the official TypeScript SDK 1.x
// client (protocol 2025-11-25, with sessions) and the official client 2.x
// (which negotiates the session-less 2026-07-28) each list the tools and run a
// bulk update with progress through it.
//
// e2e_test.go starts the Redis and names it in E2E_REDIS_URL.

import assert from "node:assert/strict";
import http from "node:http";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";

import * as v2 from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

import { ok, TOOLS } from "./lib/check.mjs";
import { HTTPServer } from "./lib/server.mjs";

/**
 * A proxy sending each request to the next backend in turn, streaming both
 * ways (progress arrives as server-sent events on the POST's response).
 */
async function roundRobin(backends) {
  const served = backends.map(() => 0);
  let next = 0;
  const proxy = http.createServer((req, res) => {
    const i = next++ % backends.length;
    served[i]++;
    const target = new URL(req.url, backends[i]);
    const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    upstream.on("error", (err) => res.destroy(err));
    req.pipe(upstream);
  });
  proxy.listen(0, "127.0.0.1");
  await once(proxy, "listening");
  return { url: `http://127.0.0.1:${proxy.address().port}`, served, close: () => proxy.close() };
}

/** The clients under test: each connects to url and says what protocol it speaks. */
const CLIENTS = {
  "SDK 1.x": {
    protocol: "2025-11-25",
    async connect(url) {
      const client = new Client({ name: "bigcommerce-mcp-e2e-replicas", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(url));
      return { client, protocol: client.transport.protocolVersion };
    },
    callTool: (client, params, options) => client.callTool(params, undefined, options),
  },
  "client 2.x": {
    protocol: "2026-07-28",
    async connect(url) {
      const client = new v2.Client({ name: "bigcommerce-mcp-e2e-replicas", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } });
      await client.connect(new v2.StreamableHTTPClientTransport(url));
      return { client, protocol: client.getNegotiatedProtocolVersion() };
    },
    callTool: (client, params, options) => client.callTool(params, options),
  },
};

describe("two replicas behind a round-robin proxy", () => {
  let replicas;
  let proxy;

  before(async () => {
    const redis = process.env.E2E_REDIS_URL;
    assert.ok(redis, "E2E_REDIS_URL must name the Redis the replicas share (go test ./e2e starts one)");
    replicas = await Promise.all([0, 1].map(() => HTTPServer.start("http", { env: { REDIS_URL: redis } })));
    proxy = await roundRobin(replicas.map((r) => r.base));
  });
  after(async () => {
    proxy?.close();
    await Promise.all((replicas ?? []).map((r) => r.stop()));
  });

  for (const [name, kind] of Object.entries(CLIENTS)) {
    test(`${name}: tools/list through either replica, and a bulk update with progress`, async () => {
      const before = [...proxy.served];
      const { client, protocol } = await kind.connect(new URL("/mcp", proxy.url));
      try {
        assert.equal(protocol, kind.protocol, "negotiated protocol version");
        for (let i = 0; i < 2; i++) {
          const { tools } = await client.listTools();
          assert.deepEqual(tools.map((t) => t.name).sort(), Object.keys(TOOLS).sort());
        }
        const ids = Array.from({ length: 25 }, (_, i) => i + 1);
        const progress = [];
        const result = await kind.callTool(
          client,
          { name: "bulk_update_customers", arguments: { customers: ids.map((id) => ({ id, company: `${name} Ltd` })) } },
          { onprogress: (p) => progress.push(p), resetTimeoutOnProgress: true },
        );
        const done = ok(result, "bulk_update_customers");
        assert.deepEqual(done.updated, ids, JSON.stringify(done));
        assert.ok(progress.length >= 2, `progress notifications: ${JSON.stringify(progress)}`);
        assert.equal(progress.at(-1).progress, ids.length, `the last notification completes: ${JSON.stringify(progress)}`);
      } finally {
        await client.close();
      }
      assert.ok(proxy.served.every((n, i) => n > before[i]), `requests per replica: ${before} before, ${proxy.served} after`);
    });
  }

  test("the replicas share the limits in Redis", async () => {
    for (const replica of replicas) {
      const health = await (await fetch(new URL("/healthz", replica.base))).json();
      assert.deepEqual(health, { status: "ok", checks: { shared_limits: "ok" } });
    }
  });
});
