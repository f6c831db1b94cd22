// The official MCP TypeScript SDK client, declaring elicitation, answers the
// server's confirmation requests: a delete and a large undo go ahead only when
// the person accepts, and decline or cancel writes nothing.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

import { ok, toolError } from "./lib/check.mjs";
import { binaryPath } from "./lib/server.mjs";

describe("elicitation with the SDK client over stdio", () => {
  let client;
  /** What the person answers next, and every message they were shown. */
  let answer = { action: "decline" };
  const asked = [];

  before(async () => {
    client = new Client({ name: "bigcommerce-mcp-e2e-elicitation", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return answer;
    });
    const env = { ...process.env };
    for (const key of ["BIGCOMMERCE_STORE_HASH", "BIGCOMMERCE_ACCESS_TOKEN", "BIGCOMMERCE_API_URL", "MCP_AUTH_TOKEN"]) delete env[key];
    await client.connect(new StdioClientTransport({ command: binaryPath(), args: ["--sandbox", "--log-level", "warn"], env, stderr: "pipe" }));
  });
  after(async () => {
    await client?.close();
  });

  async function groupExists(id) {
    const result = await client.callTool({ name: "get_customer_group", arguments: { id } });
    return !result.isError;
  }

  test("delete_customer_group: declined and cancelled write nothing, accepted deletes", async () => {
    for (const refusal of [{ action: "decline" }, { action: "cancel" }, { action: "accept", content: { confirm: false } }]) {
      answer = refusal;
      const result = await client.callTool({ name: "delete_customer_group", arguments: { id: 3 } });
      toolError(result, "canceled", `delete answered with ${JSON.stringify(refusal)}`);
      assert.ok(await groupExists(3), `the group was deleted after ${JSON.stringify(refusal)}`);
    }
    assert.equal(asked.length, 3, "the person was asked each time");
    assert.match(asked[0], /"VIP" \(id 3\)/);
    assert.match(asked[0], /\d+ customers/);
    assert.match(asked[0], /new id/);

    answer = { action: "accept", content: { confirm: true } };
    ok(await client.callTool({ name: "delete_customer_group", arguments: { id: 3 } }), "confirmed delete");
    assert.ok(!(await groupExists(3)), "the confirmed delete left the group");
  });

  test("undo of the delete: recreated under a new id", async () => {
    const changes = ok(await client.callTool({ name: "list_changes", arguments: { tool: "delete_customer_group" } }), "list_changes");
    assert.equal(changes.count, 1);
    const undo = ok(await client.callTool({ name: "undo_change", arguments: { change_id: changes.changes[0].id } }), "undo_change");
    assert.equal(undo.recreated_groups.length, 1);
    assert.notEqual(undo.recreated_groups[0].new_id, 3);
    assert.ok(await groupExists(undo.recreated_groups[0].new_id));
  });

  test("an undo of more than 100 customers asks first", async () => {
    const all = { where: { all: true }, set: { company: "Elicited" } };
    const dry = ok(await client.callTool({ name: "bulk_update_customers", arguments: { ...all, dry_run: true } }), "dry run");
    assert.ok(dry.counts.would_change > 100, `the sandbox has only ${dry.counts.would_change} customers to change`);
    ok(await client.callTool({ name: "bulk_update_customers", arguments: { ...all, expect_count: dry.total } }), "bulk update");
    const changes = ok(await client.callTool({ name: "list_changes", arguments: { tool: "bulk_update_customers" } }), "list_changes");
    const args = { change_id: changes.changes[0].id, expect_count: dry.counts.would_change };

    asked.length = 0;
    answer = { action: "decline" };
    toolError(await client.callTool({ name: "undo_change", arguments: args }), "canceled", "declined undo");
    assert.equal(asked.length, 1);
    assert.match(asked[0], new RegExp(`${dry.counts.would_change} items`));

    answer = { action: "accept", content: { confirm: true } };
    const undone = ok(await client.callTool({ name: "undo_change", arguments: args }), "confirmed undo");
    assert.equal(undone.counts.restored, dry.counts.would_change);
  });
});
