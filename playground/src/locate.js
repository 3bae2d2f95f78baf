// Where a JSON Pointer points in a JSON text: the line and column of the member's key (or
// of the array element), so that a problem the package reports at a pointer — into a
// department schema, or into bundle.json — is marked on its own line. A small scanner over
// the text; on text that is not JSON, or a pointer that is not in it, the answer is
// undefined.

/** `{ line, column }` (1-based) of `pointer` in `text`, or undefined. */
export function pointerPosition(text, pointer) {
  if (pointer === '') return { line: 1, column: 1 };
  if (!pointer.startsWith('/')) return undefined;
  const want = pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let i = 0;
  let found;
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  const string = () => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const matches = (path) => path.length === want.length && path.every((t, k) => t === want[k]);
  // Scans one value at i; `path` is where it is.
  const value = (path, depth) => {
    if (depth > 512 || found !== undefined) throw new Error('stop');
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      i++;
      let n = 0;
      for (;;) {
        ws();
        if (text[i] === (c === '{' ? '}' : ']')) { i++; return; }
        const at = i;
        const key = c === '{' ? string() : String(n++);
        if (c === '{') { ws(); i++; } // the colon
        const here = [...path, key];
        if (matches(here)) { found = at; throw new Error('stop'); }
        value(here, depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (i >= text.length) throw new Error('stop');
      }
    }
    if (c === '"') { string(); return; }
    while (i < text.length && !',]} \t\r\n'.includes(text[i])) i++;
  };
  try { value([], 0); } catch { /* found, or not JSON */ }
  if (found === undefined) return undefined;
  const before = text.slice(0, found);
  const line = before.split('\n').length;
  return { line, column: found - before.lastIndexOf('\n') };
}

/** `{ line, column }` of `pointer` in the files' bundle.json, or undefined (no pointer, or not there). */
export function bundlePosition(files, pointer) {
  return typeof pointer === 'string' ? pointerPosition(files['bundle.json'] ?? '', pointer) : undefined;
}

/**
 * Where a compile problem (an entry of a compile error's `details.problems`) is in the
 * bundle's files: `{ file, line, column }`. A rule script's problem is in its file at its
 * line and column; a department schema's problem in the schema's document at its
 * `pointer`; every other problem — and one whose file is not among `files` — in bundle.json
 * at its `bundle_pointer`, the place the package gives it there. Line and column are
 * undefined when the problem has no place in the text.
 */
export function problemPlace(p, files) {
  if (p.file && files[p.file] !== undefined) return { file: p.file, line: p.line, column: p.column };
  const doc = p.origin?.document;
  if (doc && files[doc] !== undefined) {
    const pos = typeof p.pointer === 'string' ? pointerPosition(files[doc], p.pointer) : undefined;
    return { file: doc, line: pos?.line, column: pos?.column };
  }
  const pos = bundlePosition(files, p.bundle_pointer);
  return { file: 'bundle.json', line: pos?.line, column: pos?.column };
}
