// Two `--transport http` replicas sharing limits through Redis, behind a
// round-robin proxy with no session affinity: the official TypeScript SDK
// client lists the tools and runs a bulk update with progress through it.
//
// e2e_test.go starts the Redis and names it in E2E_REDIS_URL.

import assert from "node:assert/strict";
import http from "node:http";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";

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

describe("SDK client through a round-robin proxy over two replicas", () => {
  let replicas;
  let proxy;
  let client;

  before(async () => {
    const redis = process.env.E2E_REDIS_URL;
    assert.ok(redis, "E2E_REDIS_URL must name the Redis the replicas share (go test ./e2e starts one)");
    replicas = await Promise.all([0, 1].map(() => HTTPServer.start("http", { env: { REDIS_URL: redis } })));
    proxy = await roundRobin(replicas.map((r) => r.base));
    client = new Client({ name: "bigcommerce-mcp-e2e-replicas", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL("/mcp", proxy.url)));
  });
  after(async () => {
    await client?.close();
    proxy?.close();
    await Promise.all((replicas ?? []).map((r) => r.stop()));
  });

  test("tools/list answers the same through either replica", async () => {
    for (let i = 0; i < 2; i++) {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), Object.keys(TOOLS).sort());
    }
  });

  test("a bulk update reports its progress through the proxy", async () => {
    const ids = Array.from({ length: 25 }, (_, i) => i + 1);
    const progress = [];
    const result = await client.callTool(
      { name: "bulk_update_customers", arguments: { customers: ids.map((id) => ({ id, company: "Replicated Ltd" })) } },
      undefined,
      { onprogress: (p) => progress.push(p), resetTimeoutOnProgress: true },
    );
    const done = ok(result, "bulk_update_customers");
    assert.deepEqual(done.updated, ids, JSON.stringify(done));
    assert.equal(progress.length, 3, `one progress notification per batch of 10: ${JSON.stringify(progress)}`);
    assert.equal(progress.at(-1).progress, ids.length);
  });

  test("both replicas served the session, sharing the limits in Redis", async () => {
    assert.ok(proxy.served.every((n) => n > 0), `requests per replica: ${proxy.served}`);
    for (const replica of replicas) {
      const health = await (await fetch(new URL("/healthz", replica.base))).json();
      assert.deepEqual(health, { status: "ok", checks: { shared_limits: "ok" } });
    }
  });
});
