// pointerPosition: a JSON Pointer found in the JSON text it points into (escapes, arrays,
// misses and text that is not JSON).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pointerPosition } from '../src/locate.js';
const text = '{\n  "properties": {\n    "a~b": {"type": "strin"},\n    "c/d": [1, {"x": 2}]\n  }\n}';
test('positions', () => {
  assert.deepEqual(pointerPosition(text, '/properties/a~0b/type'), { line: 3, column: 13 });
  assert.deepEqual(pointerPosition(text, '/properties/c~1d/1/x'), { line: 4, column: 17 });
  assert.deepEqual(pointerPosition(text, '/properties'), { line: 2, column: 3 });
  assert.equal(pointerPosition(text, '/nope'), undefined);
  assert.equal(pointerPosition('{"a": ', '/a/b'), undefined);
  assert.deepEqual(pointerPosition(text, ''), { line: 1, column: 1 });
});
