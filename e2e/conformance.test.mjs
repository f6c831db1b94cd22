// The official MCP conformance suite (@modelcontextprotocol/conformance) runs
// every server scenario against `bigcommerce-mcp --transport http --sandbox`.
// The scenarios that need the suite's own fixtures are listed, with why, in
// conformance-expected-failures.yml; the suite itself fails the run when a
// scenario fails without being listed there, or passes while listed.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";

import { HTTPServer } from "./lib/server.mjs";

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const CONFORMANCE = here("node_modules/.bin/conformance");
const EXPECTED_FAILURES = here("conformance-expected-failures.yml");

/**
 * The scenarios that apply to this server, which must run and pass with at
 * least one successful check: a suite upgrade that drops or renames one
 * must not go unnoticed.
 */
const MUST_PASS = [
  "server-initialize",
  "ping",
  "logging-set-level",
  "tools-list",
  "resources-list",
  "prompts-list",
  "server-sse-multiple-streams",
  "dns-rebinding-protection",
];

/** Runs the suite; resolves with its exit code and output. */
function runSuite(url, outputDir) {
  const args = [CONFORMANCE, "server", "--url", url, "--suite", "all", "--expected-failures", EXPECTED_FAILURES, "--output-dir", outputDir];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: 300_000, maxBuffer: 16 << 20, env: { ...process.env, NO_COLOR: "1" } }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.code ?? "killed") : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

/** The checks of each scenario, from the result directories the suite wrote (server-<scenario>-<timestamp>). */
async function checksByScenario(outputDir) {
  const byScenario = {};
  for (const dir of await readdir(outputDir)) {
    const scenario = dir.replace(/^server-/, "").replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, "");
    byScenario[scenario] = JSON.parse(await readFile(path.join(outputDir, dir, "checks.json"), "utf8"));
  }
  return byScenario;
}

describe("MCP conformance suite over Streamable HTTP", () => {
  let server;
  let outputDir;
  before(async () => {
    server = await HTTPServer.start("http");
    outputDir = await mkdtemp(path.join(tmpdir(), "mcp-conformance-"));
  });
  after(async () => {
    await server?.stop();
    if (outputDir) await rm(outputDir, { recursive: true, force: true });
  });

  test("every applicable scenario passes; the others are the expected failures", async () => {
    const run = await runSuite(server.url.href, outputDir);
    assert.equal(run.code, 0, `the conformance suite failed against its baseline (${EXPECTED_FAILURES}):\n${run.output}`);

    const checks = await checksByScenario(outputDir);
    for (const scenario of MUST_PASS) {
      assert.ok(checks[scenario], `scenario ${scenario} did not run; ran: ${Object.keys(checks).join(", ")}`);
      const bad = checks[scenario].filter((c) => c.status === "FAILURE" || c.status === "WARNING");
      assert.deepEqual(bad, [], `scenario ${scenario}`);
      assert.ok(
        checks[scenario].some((c) => c.status === "SUCCESS"),
        `scenario ${scenario} checked nothing: ${JSON.stringify(checks[scenario])}`,
      );
    }
    assert.doesNotMatch(server.output, /\bERR\b|panic/, "the server logged no errors");
  });
});
