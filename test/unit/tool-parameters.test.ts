// A custom tool's parameters (shared/model/tool-parameters.ts): the subset of JSON Schema Vapi's
// function tools accept, and its bounds; every problem named with its place.
import { describe, expect, it } from 'vitest';
import { TOOL_PARAMETERS_MAX_BYTES, TOOL_PARAMETERS_MAX_PROPERTIES, parameterProblems } from '../../shared/model/tool-parameters';

const params = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });
const paths = (value: unknown) => parameterProblems(value).map((p) => p.path.join('.'));

describe('parameterProblems', () => {
  it('takes what Vapi takes: every type, nested objects and arrays, the keywords of its JsonSchema', () => {
    expect(
      parameterProblems(
        params(
          {
            date: { type: 'string', format: 'date', description: 'The day.', title: 'Day' },
            time: { type: 'string', pattern: '^[0-2][0-9]:[0-5][0-9]$' },
            service: { type: 'string', enum: ['cut', 'colour'] },
            people: { type: 'integer' },
            price: { type: 'number' },
            urgent: { type: 'boolean' },
            extras: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
            address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } },
          },
          { required: ['date', 'service'] },
        ),
      ),
    ).toEqual([]);
    expect(parameterProblems(params({}))).toEqual([]);
  });

  it.each([
    ['not an object', [], ''],
    ['a top type other than object', { type: 'array', properties: {} }, 'type'],
    ['no properties', { type: 'object' }, 'properties'],
    ['a top keyword outside the subset', params({}, { additionalProperties: false }), 'additionalProperties'],
    ['a property without a type', params({ a: { description: 'x' } }), 'properties.a.type'],
    ['an unknown type', params({ a: { type: 'date' } }), 'properties.a.type'],
    ['a union of types', params({ a: { type: ['string', 'null'] } }), 'properties.a.type'],
    ['a keyword outside the subset', params({ a: { type: 'string', maxLength: 3 } }), 'properties.a.maxLength'],
    ['$ref', params({ a: { type: 'string', $ref: '#/x' } }), 'properties.a.$ref'],
    ['an enum on a number', params({ a: { type: 'number', enum: ['1'] } }), 'properties.a.enum'],
    ['an enum of numbers', params({ a: { type: 'string', enum: [1] } }), 'properties.a.enum'],
    ['an empty enum', params({ a: { type: 'string', enum: [] } }), 'properties.a.enum'],
    ['a pattern on a boolean', params({ a: { type: 'boolean', pattern: 'x' } }), 'properties.a.pattern'],
    ['a broken pattern', params({ a: { type: 'string', pattern: '(' } }), 'properties.a.pattern'],
    ['an unknown format', params({ a: { type: 'string', format: 'iban' } }), 'properties.a.format'],
    ['an array without items', params({ a: { type: 'array' } }), 'properties.a.items'],
    ['items on a string', params({ a: { type: 'string', items: { type: 'string' } } }), 'properties.a.items'],
    ['an object without properties', params({ a: { type: 'object' } }), 'properties.a.properties'],
    ['properties on a string', params({ a: { type: 'string', properties: {} } }), 'properties.a.properties'],
    ['required naming no property', params({ a: { type: 'string' } }, { required: ['b'] }), 'required'],
    ['required twice', params({ a: { type: 'string' } }, { required: ['a', 'a'] }), 'required'],
    ['required not a list', params({ a: { type: 'string' } }, { required: 'a' }), 'required'],
    ['a property name with a space', params({ 'a b': { type: 'string' } }), 'properties.a b'],
    ['a description that is not text', params({ a: { type: 'string', description: 5 } }), 'properties.a.description'],
    ['a description over 1000 characters', params({ a: { type: 'string', description: 'x'.repeat(1001) } }), 'properties.a.description'],
  ])('%s → named', (_what, value, path) => {
    expect(paths(value)).toContain(path);
  });

  it('five levels deep, no more', () => {
    const deep = (levels: number) => {
      let s: Record<string, unknown> = { type: 'string' };
      for (let i = 1; i < levels; i++) s = { type: 'object', properties: { a: s } };
      return params({ a: s });
    };
    expect(parameterProblems(deep(4))).toEqual([]);
    expect(paths(deep(5))).toEqual(['properties.a.properties.a.properties.a.properties.a.properties.a']);
    // Through arrays too.
    expect(paths(params({ a: { type: 'array', items: { type: 'array', items: { type: 'array', items: { type: 'array', items: { type: 'string' } } } } } }))).toHaveLength(1);
  });

  it(`at most ${TOOL_PARAMETERS_MAX_PROPERTIES} properties per object and ${TOOL_PARAMETERS_MAX_BYTES} bytes in all`, () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { type: 'string' }]));
    expect(parameterProblems(params(many(TOOL_PARAMETERS_MAX_PROPERTIES)))).toEqual([]);
    expect(paths(params(many(TOOL_PARAMETERS_MAX_PROPERTIES + 1)))).toEqual(['properties']);
    const atBound = params(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`p${i}`, { type: 'string', description: 'x'.repeat(950) }])));
    expect(JSON.stringify(atBound).length).toBeLessThan(TOOL_PARAMETERS_MAX_BYTES);
    expect(parameterProblems(atBound)).toEqual([]);
    const words = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`p${i}`, { type: 'string', description: 'x'.repeat(1000) }]));
    expect(paths(params(words))).toEqual(['']);
  });

  it('names at most 20 problems', () => {
    const bad = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${i}`, { type: 'nope' }]));
    expect(parameterProblems(params(bad))).toHaveLength(20);
  });
});
