// Packing a bundle directory in the browser: the same job as `onething pack DIR`.
// The bundle directory is a map of file names to text ("bundle.json", "x.schema.json",
// "rules/y.rhai"). Every item's `schema` file name is replaced by the parsed schema, and
// every `file` of a rule, condition or derivation by its `script`.
//
// `origins` records, for each inlined script, which file it came from and the path in the
// packed bundle, so that an error at `items[2].eligibility[0]` line 3 can be shown in
// `rules/x.rhai` at line 3.

/** A problem in one of the files, located for an editor marker. */
export class FileError extends Error {
  constructor(file, message, line, column) {
    super(message);
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

/** JSON.parse with the position of a syntax error turned into line:column. */
export function parseJson(file, text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(e.message);
    let line = 1;
    let column = 1;
    if (m) {
      const before = text.slice(0, Number(m[1]));
      line = before.split('\n').length;
      column = before.length - before.lastIndexOf('\n');
    } else {
      const lc = /line (\d+) column (\d+)/.exec(e.message);
      if (lc) [line, column] = [Number(lc[1]), Number(lc[2])];
    }
    throw new FileError(file, e.message, line, column);
  }
}

/** Packs the files; returns { packed, origins } where origins maps a packed path to a file. */
export function pack(files) {
  const bundle = parseJson('bundle.json', files['bundle.json'] ?? '');
  const origins = {};
  const inline = (obj, path) => {
    if (obj && typeof obj === 'object' && typeof obj.file === 'string') {
      const text = files[obj.file];
      if (text === undefined) throw new FileError('bundle.json', `${path}: no file ${obj.file}`, 1, 1);
      origins[path] = obj.file;
      const { file, ...rest } = obj;
      return { ...rest, script: text };
    }
    return obj;
  };
  if (!bundle || typeof bundle !== 'object' || !Array.isArray(bundle.items)) return { packed: bundle, origins };
  bundle.rules = bundle.rules?.map((r, i) => inline(r, `rules[${i}]`));
  bundle.derive = bundle.derive?.map((d, i) => inline(d, `derive[${i}]`));
  if (bundle.acceptance?.policy) bundle.acceptance.policy = inline(bundle.acceptance.policy, 'acceptance.policy');
  for (const [k, f] of Object.entries(bundle.fields ?? {})) {
    if (f?.visible_if) f.visible_if = inline(f.visible_if, `fields.${k}.visible_if`);
  }
  bundle.items.forEach((item, i) => {
    const p = `items[${i}]`;
    if (typeof item.schema === 'string') {
      if (files[item.schema] === undefined) throw new FileError('bundle.json', `${p}.schema: no file ${item.schema}`, 1, 1);
      item.schema = parseJson(item.schema, files[item.schema]);
    }
    if (item.applies_if) item.applies_if = inline(item.applies_if, `${p}.applies_if`);
    item.eligibility = item.eligibility?.map((r, j) => inline(r, `${p}.eligibility[${j}]`));
    item.materials = item.materials?.map((m, j) =>
      m.required_if ? { ...m, required_if: inline(m.required_if, `${p}.materials[${j}].required_if`) } : m);
  });
  for (const k of ['rules', 'derive']) if (bundle[k] === undefined) delete bundle[k];
  bundle.items.forEach((item) => {
    for (const k of ['eligibility', 'materials']) if (item[k] === undefined) delete item[k];
  });
  return { packed: bundle, origins };
}
