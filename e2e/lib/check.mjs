// Assertions on what the server sends, shared by the test files.

import assert from "node:assert/strict";

import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";

/** The tools, by name, with what the design says each does to the store. */
export const TOOLS = {
  list_customer_groups: "read",
  get_customer_group: "read",
  count_customer_groups: "read",
  create_customer_group: "create",
  update_customer_group: "update",
  delete_customer_group: "delete",
  bulk_update_customers: "update",
  list_customers: "read",
  get_bulk_job: "read",
  cancel_bulk_job: "update",
  list_changes: "read",
  undo_change: "create",
};

export const READ_TOOLS = Object.keys(TOOLS).filter((name) => TOOLS[name] === "read");

/** The customer groups the sandbox store starts with. */
export const SANDBOX_GROUPS = { 1: "Retail", 2: "Wholesale", 3: "VIP", 4: "Guests", 5: "Trade", 6: "Staff" };

/**
 * Compiles a tool's schema the two ways that matter: strictly, as JSON Schema
 * 2020-12 (the MCP default dialect) checked against its meta-schema, and as the
 * SDK client itself compiles output schemas. Returns the strict validator.
 */
export function compileSchema(schema, what) {
  assert.equal(typeof schema, "object", `${what}: not an object`);
  assert.equal(schema.type, "object", `${what}: the root must have type "object", has ${JSON.stringify(schema.type)}`);
  // strict mode rejects unknown keywords, ignored keywords and ambiguous types.
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateSchema: true });
  addFormats.default(ajv);
  let validate;
  try {
    validate = ajv.compile(schema);
  } catch (err) {
    assert.fail(`${what} does not compile as strict JSON Schema 2020-12: ${err.message}\n${JSON.stringify(schema, null, 2)}`);
  }
  assert.doesNotThrow(() => new AjvJsonSchemaValidator().getValidator(schema), `${what}: the SDK's validator cannot compile it`);
  return (data, context) => {
    assert.ok(validate(data), `${context} does not match ${what}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(data, null, 2)}`);
  };
}

/** The text content blocks of a result, joined. */
function text(result) {
  return (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

/**
 * The structured result of a successful call. The text content must carry
 * the same data as JSON, for clients that read only text.
 */
export function ok(result, what) {
  assert.notEqual(result.isError, true, `${what} failed: ${text(result)}`);
  assert.ok(result.structuredContent, `${what}: no structuredContent in ${JSON.stringify(result)}`);
  const texts = result.content.filter((c) => c.type === "text").map((c) => c.text);
  assert.ok(
    texts.some((t) => {
      try {
        return JSON.stringify(JSON.parse(t)) === JSON.stringify(result.structuredContent);
      } catch {
        return false;
      }
    }),
    `${what}: no text content holds the structured result as JSON: ${JSON.stringify(texts)}`,
  );
  return result.structuredContent;
}

/**
 * The error of a failed call: isError, no structured content, and the text is
 * JSON {"error": {"code", "message", ...}} with the code the caller expects.
 */
export function toolError(result, code, what) {
  assert.equal(result.isError, true, `${what}: expected an error result, got ${JSON.stringify(result)}`);
  assert.equal(result.structuredContent, undefined, `${what}: an error result must not carry structuredContent`);
  let body;
  try {
    body = JSON.parse(text(result));
  } catch {
    assert.fail(`${what}: the error text is not JSON: ${text(result)}`);
  }
  assert.equal(typeof body?.error?.message, "string", `${what}: no error.message in ${text(result)}`);
  assert.ok(body.error.message.length > 0, `${what}: empty error.message`);
  assert.equal(body.error.code, code, `${what}: error code, in ${text(result)}`);
  return body.error;
}
