// The MCP Inspector in CLI mode (`mcp-inspector --cli`) lists and calls the
// tools of the bigcommerce-mcp binary, serving the sandbox store, over stdio,
// SSE and Streamable HTTP, as a user scripting against the server would.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";

import { ok, TOOLS, toolError } from "./lib/check.mjs";
import { binaryPath, HTTPServer, TRANSPORTS } from "./lib/server.mjs";

const INSPECTOR = fileURLToPath(new URL("node_modules/.bin/mcp-inspector", import.meta.url));

/** The Inspector's exit code when the tool call returned isError. */
const EXIT_TOOL_ERROR = 5;

/** The Inspector keeps state under $HOME/.mcp-inspector: give it a home of its own. */
let inspectorHome;
before(async () => {
  inspectorHome = await mkdtemp(path.join(tmpdir(), "mcp-inspector-home-"));
});
after(async () => {
  await rm(inspectorHome, { recursive: true, force: true });
});

/**
 * Runs `mcp-inspector --cli TARGET... ARGS...` and returns its exit code and
 * parsed JSON output.
 */
function inspect(target, args) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [INSPECTOR, "--cli", ...target, ...args],
      { timeout: 60_000, env: { ...process.env, HOME: inspectorHome } },
      (err, stdout, stderr) => {
        const code = err ? (err.code ?? "killed") : 0;
        let json;
        try {
          json = JSON.parse(stdout);
        } catch {
          // left undefined: the caller's assertion shows stdout and stderr
        }
        resolve({ code, json, stdout, stderr, what: `mcp-inspector --cli ${[...target, ...args].join(" ")}` });
      },
    );
  });
}

/** Its output for a failure message: stderr has the reason, stdout may be long. */
function output(run) {
  const stdout = run.stdout.length > 2000 ? `${run.stdout.slice(0, 2000)}\n...` : run.stdout;
  return `stderr:\n${run.stderr}\nstdout:\n${stdout}`;
}

function succeeded(run) {
  assert.equal(run.code, 0, `${run.what} exited ${run.code}:\n${output(run)}`);
  assert.ok(run.json, `${run.what} printed no JSON:\n${run.stdout}`);
  return run.json;
}

for (const transport of TRANSPORTS) {
  describe(`Inspector CLI over ${transport}`, () => {
    let server;
    /** What the Inspector is pointed at: the command line, or the URL. */
    let target;
    before(async () => {
      if (transport === "stdio") {
        target = [binaryPath(), "--sandbox", "--log-level", "error"];
      } else {
        server = await HTTPServer.start(transport);
        target = [server.url.href];
      }
    });
    after(async () => {
      await server?.stop();
    });

    test("tools/list, with --strict schema portability checks", async () => {
      const { tools } = succeeded(await inspect(target, ["--method", "tools/list", "--strict"]));
      assert.deepEqual(tools.map((t) => t.name).sort(), Object.keys(TOOLS).sort());
    });

    test("tools/call: a read, a write with a JSON argument, and a tool error", async () => {
      const group = succeeded(await inspect(target, ["--method", "tools/call", "--tool-name", "get_customer_group", "--tool-arg", "id=3"]));
      assert.equal(ok(group, "get_customer_group").customer_group.name, "VIP");

      const bulk = succeeded(
        await inspect(target, [
          "--method", "tools/call", "--tool-name", "bulk_update_customers",
          "--tool-arg", 'customers=[{"id": 7, "company": "Inspector Inc"}, {"id": 8, "company": "Inspector Inc"}]',
        ]),
      );
      assert.deepEqual(ok(bulk, "bulk_update_customers").updated, [7, 8]);

      const missing = await inspect(target, ["--method", "tools/call", "--tool-name", "get_customer_group", "--tool-arg", "id=987654"]);
      assert.equal(missing.code, EXIT_TOOL_ERROR, `${missing.what}:\n${output(missing)}`);
      toolError(missing.json, "not_found", "get a missing group");
    });

    test("resources/read and prompts/get", async () => {
      const { contents } = succeeded(await inspect(target, ["--method", "resources/read", "--uri", "bigcommerce://customer-groups/5"]));
      assert.equal(JSON.parse(contents[0].text).name, "Trade");

      const { messages } = succeeded(
        await inspect(target, ["--method", "prompts/get", "--prompt-name", "move_customers_between_groups", "--prompt-args", "from_group=Trade", "to_group=VIP"]),
      );
      assert.match(messages[0].content.text, /"Trade".*"VIP"/);
    });
  });
}

describe("Inspector CLI with MCP_AUTH_TOKEN over http", () => {
  const token = "inspector-e2e-token-0123456789abcdef";
  let server;
  before(async () => {
    server = await HTTPServer.start("http", { env: { MCP_AUTH_TOKEN: token } });
  });
  after(async () => {
    await server?.stop();
  });

  test("the Authorization header gets in; no header does not", async () => {
    const args = ["--method", "tools/call", "--tool-name", "count_customer_groups"];
    const { structuredContent } = succeeded(await inspect([server.url.href], [...args, "--header", `Authorization: Bearer ${token}`]));
    assert.deepEqual(structuredContent, { count: 6 });

    const refused = await inspect([server.url.href], args);
    assert.notEqual(refused.code, 0, `${refused.what} succeeded without a token`);
  });
});
