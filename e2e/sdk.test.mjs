// The official MCP TypeScript SDK client drives the bigcommerce-mcp binary,
// serving the sandbox store, over stdio, SSE and Streamable HTTP.
//
// Each transport gets its own server process, so each starts from the same
// seeded store; the tests within a transport run in order and build on each
// other (a group is created, then updated, then deleted).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";

import { compileSchema, ok, READ_TOOLS, SANDBOX_GROUPS, TOOLS, toolError } from "./lib/check.mjs";
import { clientTransport, connect, HTTPServer, TRANSPORTS } from "./lib/server.mjs";

/** Values for every prompt argument; a prompt with an argument missing here fails the test. */
const PROMPT_ARGUMENTS = {
  group_name: "Wholesale EU",
  discount_percent: "15",
  customers: "everyone in Retail",
  name_like: "Whole",
  from_group: "Trade",
  to_group: "VIP",
  changes: "42 company=Acme\n43 phone=555-0100",
};

/** BigCommerce updates at most this many customers per request: the tool reports progress per batch. */
const CUSTOMERS_PER_BATCH = 10;

/** Asserts that promise rejects with a JSON-RPC error whose message matches. */
async function rejectsWith(promise, message, what) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof McpError, `${what}: expected a JSON-RPC error, got ${err}`);
    assert.match(err.message, message, what);
    return true;
  });
}

for (const transport of TRANSPORTS) {
  describe(`SDK client over ${transport}`, () => {
    let conn;
    let client;
    /** Output-schema validators by tool name, from tools/list. */
    const outputs = {};

    before(async () => {
      conn = await connect(transport);
      client = conn.client;
    });
    after(async () => {
      await conn?.close();
    });

    /** Calls a tool and checks its structured result against the tool's output schema. */
    async function call(name, args, options) {
      const result = await client.callTool({ name, arguments: args }, undefined, options);
      if (!result.isError) {
        assert.ok(outputs[name], `${name} was not in tools/list`);
        outputs[name](ok(result, name), `${name}(${JSON.stringify(args)})`);
      }
      return result;
    }
    const callOK = async (name, args, options) => ok(await call(name, args, options), name);

    test("initialize: server info and capabilities", () => {
      assert.equal(client.getServerVersion().name, "bigcommerce-mcp");
      assert.ok(client.getServerVersion().version, "the server reports a version");
      const caps = client.getServerCapabilities();
      for (const cap of ["tools", "prompts", "resources", "logging"]) {
        assert.ok(caps[cap], `capability ${cap} missing from ${JSON.stringify(caps)}`);
      }
      assert.ok(client.getInstructions(), "the server gives instructions");
    });

    test("ping and logging/setLevel", async () => {
      assert.deepEqual(await client.ping(), {});
      assert.deepEqual(await client.setLoggingLevel("warning"), {});
    });

    test("tools/list: every tool, every schema an object that compiles, annotations", async () => {
      const listed = await client.listTools();
      const { tools } = listed;
      assert.deepEqual(tools.map((t) => t.name).sort(), Object.keys(TOOLS).sort());
      const size = JSON.stringify(listed).length;
      assert.ok(size < 15_000, `tools/list is ${size} bytes as the SDK client reads it, want under 15,000`);
      for (const tool of tools) {
        assert.ok(tool.description?.length > 20, `${tool.name}: description`);
        compileSchema(tool.inputSchema, `${tool.name} inputSchema`);
        assert.ok(tool.outputSchema, `${tool.name} has no outputSchema`);
        outputs[tool.name] = compileSchema(tool.outputSchema, `${tool.name} outputSchema`);

        const effect = TOOLS[tool.name];
        const a = tool.annotations ?? {};
        assert.ok(a.title, `${tool.name}: annotations.title`);
        // A hint left out takes the specification's default; a read-only
        // tool's destructive and idempotent hints mean nothing.
        assert.equal(a.readOnlyHint ?? false, effect === "read", `${tool.name}: readOnlyHint`);
        assert.equal(a.openWorldHint ?? true, true, `${tool.name}: openWorldHint`);
        if (effect === "read") continue;
        assert.equal(a.destructiveHint ?? true, effect === "delete", `${tool.name}: destructiveHint`);
        if (effect !== "delete") assert.equal(a.idempotentHint ?? false, effect !== "create", `${tool.name}: idempotentHint`);
      }
    });

    test("count, list and get the seeded customer groups", async () => {
      assert.deepEqual(await callOK("count_customer_groups", {}), { count: 6 });

      const all = await callOK("list_customer_groups", { all_pages: true });
      assert.deepEqual(
        Object.fromEntries(all.customer_groups.map((g) => [g.id, g.name])),
        SANDBOX_GROUPS,
      );

      const page = await callOK("list_customer_groups", { page: 2, limit: 2 });
      assert.deepEqual(page.customer_groups.map((g) => g.name), [SANDBOX_GROUPS[3], SANDBOX_GROUPS[4]]);
      assert.equal(page.more_pages, true);
      assert.equal(page.next_page, 3);

      const found = await callOK("list_customer_groups", { name_like: "sale" });
      assert.deepEqual(found.customer_groups.map((g) => g.name), ["Wholesale"]);

      const { customer_group: wholesale } = await callOK("get_customer_group", { id: 2 });
      assert.equal(wholesale.name, "Wholesale");
      assert.deepEqual(wholesale.discount_rules, [{ type: "all", method: "percent", amount: 10 }]);
    });

    test("tool errors: isError with a JSON error code", async () => {
      toolError(await call("get_customer_group", { id: 987654 }), "not_found", "get a missing group");
      toolError(await call("get_customer_group", { id: 0 }), "invalid_argument", "id below the minimum");
      toolError(await call("get_customer_group", {}), "invalid_argument", "id missing");
      toolError(await call("get_customer_group", { id: "two" }), "invalid_argument", "id of the wrong type");
      toolError(await call("list_customer_groups", { limit: 251 }), "invalid_argument", "limit above 250");
      toolError(await call("list_customer_groups", { colour: "red" }), "invalid_argument", "unknown argument");
      toolError(await call("create_customer_group", { name: "Retail" }), "conflict", "create a taken name");
      toolError(
        await call("create_customer_group", { name: "Two guest groups", is_group_for_guests: true }),
        "conflict",
        "a second guest group",
      );
      toolError(await call("update_customer_group", { id: 987654, name: "x" }), "not_found", "update a missing group");
      toolError(await call("delete_customer_group", { id: 987654 }), "not_found", "delete a missing group");
      toolError(
        await call("bulk_update_customers", { customers: [{ id: 1, date_created: "2024-01-01" }] }),
        "invalid_argument",
        "a read-only customer field",
      );
      toolError(
        await call("bulk_update_customers", { where: { customer_group_ids: [1] } }),
        "invalid_argument",
        "where without set",
      );
      await rejectsWith(client.callTool({ name: "no_such_tool", arguments: {} }), /no_such_tool/, "an unknown tool");
    });

    let groupID;
    test("create, update and read back a customer group", async () => {
      const name = `E2E ${transport}`;
      const created = await callOK("create_customer_group", {
        name,
        category_access: { type: "specific", categories: [18] },
        discount_rules: [{ type: "all", method: "percent", amount: 5 }],
      });
      groupID = created.customer_group.id;
      assert.ok(groupID > 6, `a new id, got ${groupID}`);
      assert.equal(created.customer_group.name, name);
      assert.deepEqual(await callOK("count_customer_groups", {}), { count: 7 });

      // discount_rules replace the whole set.
      const rules = [
        { type: "category", method: "fixed", amount: 2.5, category_id: 18 },
        { type: "product", method: "price", amount: 9.99, product_id: 77 },
      ];
      const updated = await callOK("update_customer_group", { id: groupID, name: `${name} renamed`, discount_rules: rules });
      assert.equal(updated.customer_group.name, `${name} renamed`);
      assert.deepEqual(updated.customer_group.discount_rules, rules);
      assert.deepEqual(updated.customer_group.category_access, { type: "specific", categories: [18] });

      const { customer_group: read } = await callOK("get_customer_group", { id: groupID });
      assert.deepEqual(read, updated.customer_group);
    });

    test("bulk_update_customers: a list with progress per batch, then a selector", async () => {
      const ids = Array.from({ length: 25 }, (_, i) => i + 1);
      const progress = [];
      const listed = await callOK(
        "bulk_update_customers",
        { customers: ids.map((id) => ({ id, customer_group_id: groupID })) },
        { onprogress: (p) => progress.push(p), resetTimeoutOnProgress: true },
      );
      const batches = Math.ceil(ids.length / CUSTOMERS_PER_BATCH);
      assert.deepEqual(listed.updated, ids, JSON.stringify(listed));
      assert.deepEqual(listed.counts, { updated: 25, unchanged: 0, failed: 0, not_attempted: 0 });
      assert.equal(listed.batches, batches);

      assert.equal(progress.length, batches, `one progress notification per batch: ${JSON.stringify(progress)}`);
      for (let i = 1; i < progress.length; i++) {
        assert.ok(progress[i].progress > progress[i - 1].progress, `progress increases: ${JSON.stringify(progress)}`);
      }
      for (const p of progress) assert.equal(p.total, ids.length, `total: ${JSON.stringify(p)}`);
      assert.equal(progress.at(-1).progress, ids.length, `the last notification completes: ${JSON.stringify(progress)}`);

      // The customers are now in the group: a dry run over the group finds exactly them.
      const where = { customer_group_ids: [groupID] };
      const set = { company: `E2E ${transport} Ltd` };
      const dry = await callOK("bulk_update_customers", { where, set, dry_run: true });
      assert.equal(dry.dry_run, true);
      assert.equal(dry.total, ids.length, JSON.stringify(dry));
      assert.equal(dry.counts.would_change, ids.length);
      assert.deepEqual(dry.changes.map((c) => c.id).sort((a, b) => a - b), ids.slice(0, dry.changes.length));

      const refused = toolError(
        await call("bulk_update_customers", { where, set, expect_count: ids.length + 1 }),
        "invalid_argument",
        "expect_count that does not match",
      );
      assert.ok(refused.fields?.expect_count, JSON.stringify(refused));

      const applied = await callOK("bulk_update_customers", { where, set, expect_count: ids.length });
      assert.equal(applied.counts.updated, ids.length, JSON.stringify(applied.counts));
      // Repeating it changes nothing: the customers are already in that state.
      const again = await callOK("bulk_update_customers", { where, set, expect_count: ids.length });
      assert.deepEqual(again.counts, { updated: 0, unchanged: ids.length, failed: 0, not_attempted: 0 });

      // One bad item fails alone; the other goes through.
      const mixed = await callOK("bulk_update_customers", {
        customers: [
          { id: 30, first_name: "x".repeat(101) },
          { id: 31, first_name: "Ada" },
        ],
      });
      assert.deepEqual(mixed.updated, [31]);
      assert.deepEqual(mixed.failures.map((g) => [g.ids, g.code, g.count]), [[[30], "invalid", 1]]);
    });

    test("resources: list, templates, read both", async () => {
      const { resources } = await client.listResources();
      const groups = resources.find((r) => r.uri === "bigcommerce://customer-groups");
      assert.ok(groups, `bigcommerce://customer-groups in ${JSON.stringify(resources)}`);
      assert.equal(groups.mimeType, "application/json");

      const { resourceTemplates } = await client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate).sort(), ["bigcommerce://customer-groups/{id}", "bigcommerce://customers/{id}"]);

      const list = await client.readResource({ uri: "bigcommerce://customer-groups" });
      assert.equal(list.contents.length, 1);
      assert.equal(list.contents[0].mimeType, "application/json");
      const names = JSON.parse(list.contents[0].text).map((g) => g.name);
      assert.deepEqual(names.slice(0, 6), Object.values(SANDBOX_GROUPS));
      assert.equal(names.length, 7, "the group created above is listed");

      const one = await client.readResource({ uri: "bigcommerce://customer-groups/3" });
      assert.equal(one.contents[0].uri, "bigcommerce://customer-groups/3");
      assert.equal(JSON.parse(one.contents[0].text).name, "VIP");

      await rejectsWith(client.readResource({ uri: "bigcommerce://customer-groups/987654" }), /not found/i, "a missing group");
      await rejectsWith(client.readResource({ uri: "bigcommerce://customer-groups/abc" }), /not found|whole number/i, "a bad id");
    });

    test("delete the group: gone afterwards", async () => {
      const deleted = await callOK("delete_customer_group", { id: groupID });
      assert.equal(deleted.deleted, true);
      toolError(await call("get_customer_group", { id: groupID }), "not_found", "get a deleted group");
      assert.deepEqual(await callOK("count_customer_groups", {}), { count: 6 });
    });

    test("prompts: list and get each with its arguments", async () => {
      const { prompts } = await client.listPrompts();
      assert.ok(prompts.length >= 3, `several prompts, got ${prompts.map((p) => p.name)}`);
      for (const prompt of prompts) {
        assert.ok(prompt.description, `${prompt.name}: description`);
        const args = {};
        for (const arg of prompt.arguments ?? []) {
          assert.ok(arg.name in PROMPT_ARGUMENTS, `${prompt.name}: no test value for argument ${arg.name}; add one to PROMPT_ARGUMENTS`);
          args[arg.name] = PROMPT_ARGUMENTS[arg.name];
        }
        const { messages } = await client.getPrompt({ name: prompt.name, arguments: args });
        assert.ok(messages.length > 0, `${prompt.name}: messages`);
        const text = messages.map((m) => m.content.text ?? "").join("\n");
        for (const [name, value] of Object.entries(args)) {
          assert.ok(text.includes(value), `${prompt.name}: the text uses argument ${name}=${JSON.stringify(value)}:\n${text}`);
        }
        assert.doesNotMatch(text, /\{\{|<no value>/, `${prompt.name}: unrendered template`);

        const required = (prompt.arguments ?? []).filter((a) => a.required);
        if (required.length > 0) {
          await rejectsWith(
            client.getPrompt({ name: prompt.name, arguments: {} }),
            new RegExp(`missing required argument.*${required[0].name}`),
            `${prompt.name} without its required arguments`,
          );
        }
      }
      await rejectsWith(client.getPrompt({ name: "no_such_prompt" }), /no_such_prompt/, "an unknown prompt");
    });

    test("no stray output, no errors logged", () => {
      // On stdio, a log line on stdout would reach the client as a message it cannot parse.
      assert.deepEqual(conn.errors.map(String), [], "errors the client met outside requests");
      assert.doesNotMatch(conn.stderr(), /\bERR\b|panic/, "errors logged by the server");
    });
  });

  describe(`--read-only over ${transport}`, () => {
    let conn;
    before(async () => {
      conn = await connect(transport, { args: ["--read-only"] });
    });
    after(async () => {
      await conn?.close();
    });

    test("write tools are neither listed nor callable", async () => {
      const { tools } = await conn.client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), [...READ_TOOLS].sort());
      for (const name of Object.keys(TOOLS).filter((n) => TOOLS[n] !== "read")) {
        const result = await conn.client.callTool({ name, arguments: { id: 1, name: "x" } });
        toolError(result, "read_only", `${name} in read-only mode`);
      }
      ok(await conn.client.callTool({ name: "count_customer_groups", arguments: {} }), "count in read-only mode");
    });
  });
}

for (const transport of ["sse", "http"]) {
  describe(`MCP_AUTH_TOKEN over ${transport}`, () => {
    const token = "e2e-secret-token-0123456789abcdefgh";
    let server;
    before(async () => {
      server = await HTTPServer.start(transport, { env: { MCP_AUTH_TOKEN: token } });
    });
    after(async () => {
      await server?.stop();
    });

    test("a client without the token is refused with 401", async () => {
      const client = new Client({ name: "no-token", version: "1.0.0" });
      await assert.rejects(client.connect(clientTransport(server)), (err) => err.code === 401);
      await client.close();
      const res = await fetch(server.url, { method: "POST", headers: { Authorization: "Bearer wrong" } });
      assert.equal(res.status, 401);
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
    });

    test("a client with the token works; /healthz needs none", async () => {
      const client = new Client({ name: "with-token", version: "1.0.0" });
      await client.connect(clientTransport(server, token));
      ok(await client.callTool({ name: "count_customer_groups", arguments: {} }), "count with a token");
      await client.close();
      assert.equal((await fetch(new URL("/healthz", server.base))).status, 200);
    });
  });
}
