// The official TypeScript SDK client, with its default request timeout (60 s)
// and no resetTimeoutOnProgress, asks bigcommerce-mcp for an update that takes
// longer than that: it gets a job id within seconds, follows get_bulk_job to
// the end, and checks the account against a dry run of the same call.
//
// jobs_test.go serves the slow store (JOBS_STORE_URL) and checks it afterwards.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

import { ok } from "./lib/check.mjs";
import { binaryPath } from "./lib/server.mjs";

const customers = Number(process.env.JOBS_CUSTOMERS);
const args = {
  customers: Array.from({ length: customers }, (_, i) => ({ id: i + 1, company: `Job ${i + 1}` })),
};

let client;
before(async () => {
  assert.ok(process.env.JOBS_STORE_URL && customers > 0, "jobs_test.go sets JOBS_STORE_URL and JOBS_CUSTOMERS");
  const env = { ...process.env, BIGCOMMERCE_STORE_HASH: "e2ejobs", BIGCOMMERCE_ACCESS_TOKEN: process.env.JOBS_STORE_TOKEN,
    BIGCOMMERCE_API_URL: process.env.JOBS_STORE_URL };
  delete env.MCP_AUTH_TOKEN;
  delete env.BIGCOMMERCE_MCP_JOB_AFTER;
  client = new Client({ name: "bigcommerce-mcp-e2e-jobs", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: binaryPath(), args: ["--log-level", "warn"], env, stderr: "inherit" }));
});
after(async () => {
  await client?.close();
});

test(`a ${customers}-customer update runs as a job the SDK follows to an exact account`, async () => {
  const started = Date.now();
  const ticket = ok(await client.callTool({ name: "bulk_update_customers", arguments: args }), "start the update");
  const answeredIn = Date.now() - started;
  const job = ticket.job;
  assert.ok(job?.job_id, `no job in ${JSON.stringify(ticket).slice(0, 500)}`);
  assert.equal(job.status, "running");
  assert.ok(answeredIn < 10_000, `the job id took ${answeredIn} ms`);
  assert.ok(job.estimated_seconds > 60, `estimated ${job.estimated_seconds} s: the run should outlast the SDK's 60 s timeout`);

  let status;
  let polls = 0;
  for (;;) {
    status = ok(await client.callTool({ name: "get_bulk_job", arguments: { job_id: job.job_id } }), "get_bulk_job");
    polls++;
    if (status.status !== "running") break;
    assert.ok(status.check_after_seconds >= 5, `check_after_seconds ${status.check_after_seconds}`);
    // The model would wait check_after_seconds; the test polls sooner so the
    // end is seen promptly, and checks that progress only grows.
    await sleep(Math.min(status.check_after_seconds, 5) * 1000);
  }
  const elapsed = (Date.now() - started) / 1000;
  assert.equal(status.status, "done", JSON.stringify(status).slice(0, 500));
  assert.ok(elapsed > 60, `the job took ${elapsed} s, not past the timeout it is meant to outlast`);
  const counts = status.result.counts;
  assert.deepEqual({ failed: counts.failed, not_attempted: counts.not_attempted }, { failed: 0, not_attempted: 0 });
  assert.equal(counts.updated + counts.unchanged, customers, JSON.stringify(counts));
  assert.equal(status.progress.done, customers);

  const check = ok(await client.callTool({ name: "bulk_update_customers", arguments: { ...args, dry_run: true } }), "dry run");
  assert.deepEqual({ would_change: check.counts.would_change ?? 0, unchanged: check.counts.unchanged }, { would_change: 0, unchanged: customers },
    "a dry run of the same call finds every customer as the job left it");
  console.log(`job id after ${answeredIn} ms; done after ${elapsed.toFixed(1)} s (estimated ${job.estimated_seconds} s), ${polls} polls`);
});

test("a client with task support follows the same job as an MCP task", async () => {
  const taskCustomers = Number(process.env.JOBS_TASK_CUSTOMERS);
  const taskArgs = { customers: args.customers.slice(0, taskCustomers).map(({ id }) => ({ id, company: `Task ${id}` })) };
  const stream = client.experimental.tasks.callToolStream({ name: "bulk_update_customers", arguments: taskArgs }, undefined,
    { task: { ttl: 600_000 } });
  let created;
  let statuses = 0;
  let result;
  for await (const message of stream) {
    if (message.type === "taskCreated") created = message.task;
    if (message.type === "taskStatus") statuses++;
    if (message.type === "error") throw message.error;
    if (message.type === "result") result = message.result;
  }
  assert.ok(created?.taskId, "no task was created");
  assert.ok(statuses > 1, `the task was polled ${statuses} times`);
  const account = ok(result, "the task's result");
  assert.equal(account.job?.status, "done", JSON.stringify(account.job));
  assert.deepEqual({ updated: account.counts.updated, failed: account.counts.failed, not_attempted: account.counts.not_attempted },
    { updated: taskCustomers, failed: 0, not_attempted: 0 });
  const job = ok(await client.callTool({ name: "get_bulk_job", arguments: { job_id: account.job.job_id } }), "the task's job");
  assert.equal(job.status, "done");
});
