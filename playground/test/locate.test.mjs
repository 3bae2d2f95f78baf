// pointerPosition: a JSON Pointer found in the JSON text it points into (escapes, arrays,
// misses and text that is not JSON).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pointerPosition, problemPlace } from '../src/locate.js';
const text = '{\n  "properties": {\n    "a~b": {"type": "strin"},\n    "c/d": [1, {"x": 2}]\n  }\n}';
test('positions', () => {
  assert.deepEqual(pointerPosition(text, '/properties/a~0b/type'), { line: 3, column: 13 });
  assert.deepEqual(pointerPosition(text, '/properties/c~1d/1/x'), { line: 4, column: 17 });
  assert.deepEqual(pointerPosition(text, '/properties'), { line: 2, column: 3 });
  assert.equal(pointerPosition(text, '/nope'), undefined);
  assert.equal(pointerPosition('{"a": ', '/a/b'), undefined);
  assert.deepEqual(pointerPosition(text, ''), { line: 1, column: 1 });
});

// problemPlace: a compile problem placed in the file it belongs to — a script's by its file,
// line and column; a department schema's by its pointer in that schema; any other by its
// bundle_pointer in bundle.json.
const files = {
  'bundle.json': '{\n  "items": [\n    {"id": "a",\n     "department": "nope",\n     "field_map": {"/x/y": "k"},\n     "schema": {"type": "strin"}}\n  ]\n}',
  'a.schema.json': '{\n  "type": "strin"\n}',
  'rules/a.rhai': 'let x = ;',
};
test('problem places', () => {
  const unknown = { kind: 'unknown', at: 'item `a`', what: 'department', id: 'nope', bundle_pointer: '/items/0/department' };
  assert.deepEqual(problemPlace(unknown, files), { file: 'bundle.json', line: 4, column: 6 });
  const fieldMap = { kind: 'field_map', item: 'a', pointer: '/x/y', bundle_pointer: '/items/0/field_map/~1x~1y' };
  assert.deepEqual(problemPlace(fieldMap, files), { file: 'bundle.json', line: 5, column: 20 });
  const script = { kind: 'script', file: 'rules/a.rhai', line: 1, column: 9, bundle_pointer: '/items/0/applies_if/file' };
  assert.deepEqual(problemPlace(script, files), { file: 'rules/a.rhai', line: 1, column: 9 });
  const schema = { kind: 'invalid', origin: { document: 'a.schema.json' }, pointer: '/type', bundle_pointer: '/items/0/schema' };
  assert.deepEqual(problemPlace(schema, files), { file: 'a.schema.json', line: 2, column: 3 });
  // A schema inline in bundle.json (its document is no file): at the item's schema there.
  const inline = { ...schema, origin: { document: 'a-inline.schema.json' } };
  assert.deepEqual(problemPlace(inline, files), { file: 'bundle.json', line: 6, column: 6 });
  assert.deepEqual(problemPlace({ kind: 'invalid', at: 'merged form' }, files), { file: 'bundle.json', line: undefined, column: undefined });
});
