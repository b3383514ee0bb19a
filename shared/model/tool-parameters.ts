// A custom tool's parameters: a JSON Schema object, in the subset Vapi's function tools accept (the
// SDK's OpenAiFunctionParameters and JsonSchema types, @vapi-ai/server-sdk 2.x): at the top
// `{ type: "object", properties, required? }`; below it each property a schema of `type` string,
// number, integer, boolean, array (with `items`) or object (with `properties`), and only the
// keywords `description`, `title`, `enum` (strings), `pattern`, `format`, `required`. Nothing else is
// passed on: a keyword outside the subset is refused rather than dropped, so the model sees what the
// customer wrote. Bounded so that a tool stays a small part of the assistant: its JSON at most
// TOOL_PARAMETERS_MAX_BYTES, at most TOOL_PARAMETERS_MAX_DEPTH schemas deep, TOOL_PARAMETERS_MAX_PROPERTIES
// properties per object.

export const TOOL_PARAMETERS_MAX_BYTES = 8192;
export const TOOL_PARAMETERS_MAX_DEPTH = 5;
export const TOOL_PARAMETERS_MAX_PROPERTIES = 50;

export const SCHEMA_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'] as const;
/** Vapi's JsonSchemaFormat. */
export const SCHEMA_FORMATS = ['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid'] as const;

const TOP_KEYWORDS = new Set(['type', 'properties', 'required']);
const KEYWORDS = new Set(['type', 'items', 'properties', 'description', 'pattern', 'format', 'required', 'enum', 'title']);
/** A property name: what function-calling models take as an argument name. */
const PROPERTY_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface ParameterProblem {
  /** Where, below `parameters` (`properties.date.type`); empty for the whole schema. */
  path: (string | number)[];
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every way `value` is not a parameters schema of the subset, within its bounds; empty when it is one. */
export function parameterProblems(value: unknown): ParameterProblem[] {
  const problems: ParameterProblem[] = [];
  const add = (path: (string | number)[], message: string) => {
    if (problems.length < 20) problems.push({ path, message });
  };
  if (!isObject(value)) return [{ path: [], message: 'Must be a JSON Schema object: { "type": "object", "properties": { ... } }.' }];
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  if (bytes > TOOL_PARAMETERS_MAX_BYTES) add([], `Must not exceed ${TOOL_PARAMETERS_MAX_BYTES} bytes as JSON (it has ${bytes}).`);
  for (const key of Object.keys(value)) if (!TOP_KEYWORDS.has(key)) add([key], `Not a keyword of a tool's parameters (allowed: ${[...TOP_KEYWORDS].join(', ')}).`);
  if (value.type !== 'object') add(['type'], 'Must be "object".');
  if (!isObject(value.properties)) add(['properties'], 'Must be an object of the parameters, by name.');
  else objectBody(value, [], 1, add);
  return problems;
}

type Add = (path: (string | number)[], message: string) => void;

/** `properties` and `required` of an object schema at `path`, its children one level deeper. */
function objectBody(schema: Record<string, unknown>, path: (string | number)[], depth: number, add: Add): void {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const names = Object.keys(properties);
  if (names.length > TOOL_PARAMETERS_MAX_PROPERTIES) add([...path, 'properties'], `Must not have more than ${TOOL_PARAMETERS_MAX_PROPERTIES} properties.`);
  for (const name of names) {
    if (!PROPERTY_NAME.test(name)) add([...path, 'properties', name], 'A property name must be 1 to 64 letters, digits, underscores or dashes.');
    property(properties[name], [...path, 'properties', name], depth + 1, add);
  }
  if (schema.required !== undefined) {
    const required = schema.required;
    if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) add([...path, 'required'], 'Must be a list of property names.');
    else {
      if (new Set(required).size !== required.length) add([...path, 'required'], 'Must not name a property twice.');
      for (const r of required) if (!(r in properties)) add([...path, 'required'], `Names "${r.slice(0, 64)}", which is not one of the properties.`);
    }
  }
}

function property(schema: unknown, path: (string | number)[], depth: number, add: Add): void {
  if (depth > TOOL_PARAMETERS_MAX_DEPTH) return add(path, `Must not nest deeper than ${TOOL_PARAMETERS_MAX_DEPTH} levels.`);
  if (!isObject(schema)) return add(path, 'Must be a JSON Schema object with a "type".');
  for (const key of Object.keys(schema)) if (!KEYWORDS.has(key)) add([...path, key], `Not a keyword Vapi's tools accept (allowed: ${[...KEYWORDS].join(', ')}).`);
  const type = schema.type;
  if (!(SCHEMA_TYPES as readonly unknown[]).includes(type)) return add([...path, 'type'], `Must be one of ${SCHEMA_TYPES.join(', ')}.`);
  text(schema, 'description', 1000, path, add);
  text(schema, 'title', 200, path, add);
  if (schema.enum !== undefined) {
    const e = schema.enum;
    if (type !== 'string') add([...path, 'enum'], 'Only a string may have an enum.');
    else if (!Array.isArray(e) || e.length === 0 || e.length > 100 || !e.every((v) => typeof v === 'string' && v.length >= 1 && v.length <= 200)) {
      add([...path, 'enum'], 'Must be a list of 1 to 100 strings of 1 to 200 characters.');
    }
  }
  if (schema.pattern !== undefined) {
    if (type !== 'string') add([...path, 'pattern'], 'Only a string may have a pattern.');
    else if (typeof schema.pattern !== 'string' || schema.pattern.length > 500 || !compiles(schema.pattern)) add([...path, 'pattern'], 'Must be a regular expression of at most 500 characters.');
  }
  if (schema.format !== undefined) {
    if (type !== 'string') add([...path, 'format'], 'Only a string may have a format.');
    else if (!(SCHEMA_FORMATS as readonly unknown[]).includes(schema.format)) add([...path, 'format'], `Must be one of ${SCHEMA_FORMATS.join(', ')}.`);
  }
  if (type === 'array') {
    if (schema.items === undefined) add([...path, 'items'], 'An array must say what its items are.');
    else property(schema.items, [...path, 'items'], depth + 1, add);
  } else if (schema.items !== undefined) add([...path, 'items'], 'Only an array has items.');
  if (type === 'object') {
    if (!isObject(schema.properties)) add([...path, 'properties'], 'An object must list its properties.');
    else objectBody(schema, path, depth, add);
  } else {
    if (schema.properties !== undefined) add([...path, 'properties'], 'Only an object has properties.');
    if (schema.required !== undefined) add([...path, 'required'], 'Only an object has required properties.');
  }
}

function text(schema: Record<string, unknown>, key: string, max: number, path: (string | number)[], add: Add): void {
  const v = schema[key];
  if (v !== undefined && (typeof v !== 'string' || v.length > max)) add([...path, key], `Must be text of at most ${max} characters.`);
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
