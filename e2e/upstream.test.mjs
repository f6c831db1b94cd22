// Bugs in the clients this project is tested with that the server works
// around. Each test asserts that the bug is still there, against the client
// alone; when one fails, the client has fixed it: remove the workaround its
// message names, then the test.

import assert from "node:assert/strict";
import { test } from "node:test";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";

/**
 * A transport that answers the client in memory. tools/call gets one
 * progress notification and then its result, delivered in the same tick, as
 * they arrive when a server writes them together and the client reads them
 * in one chunk.
 */
class SameChunkTransport {
  async start() {}
  async close() {
    this.onclose?.();
  }
  async send(message) {
    if (message.method === "initialize") {
      this.deliver({ jsonrpc: "2.0", id: message.id, result: {
        protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: { tools: {} }, serverInfo: { name: "memory", version: "0" } } });
    } else if (message.method === "tools/call") {
      const progressToken = message.params._meta.progressToken;
      queueMicrotask(() => {
        this.onmessage({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken, progress: 1, total: 1 } });
        this.onmessage({ jsonrpc: "2.0", id: message.id, result: { content: [] } });
      });
    }
  }
  deliver(message) {
    queueMicrotask(() => this.onmessage(message));
  }
}

test("the TypeScript SDK still loses a progress notification read in the same chunk as its result", async () => {
  const client = new Client({ name: "upstream-test", version: "0" });
  const errors = [];
  client.onerror = (err) => errors.push(err.message);
  await client.connect(new SameChunkTransport());
  let progressSeen = 0;
  await client.callTool({ name: "any", arguments: {} }, undefined, { onprogress: () => progressSeen++ });
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the notification's handler run
  await client.close();

  const lost = progressSeen === 0 && errors.some((m) => m.includes("progress notification for an unknown token"));
  assert.ok(lost,
    "upstream fixed modelcontextprotocol/typescript-sdk#2580 (progress read with its result is no longer lost): " +
    `remove clientReadPause in tools/progress.go, then this test (progress seen: ${progressSeen}, errors: ${JSON.stringify(errors)})`);
});
