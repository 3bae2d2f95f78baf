// The generated bundles of core/benches/bundle.rs, in JavaScript, so that the wizard is
// measured on the same form natively and through WASM. Keep in step with `generated`,
// `shared_schema`, `own_schema` and `sample` there.

/** A bundle of `departments` items of `fields` properties each; `overlap` of every item's
 * properties are canonical keys shared with other departments. */
export function generated(departments, fields, overlap) {
  const shared = Math.round(fields * overlap);
  const items = [];
  const depts = [];
  for (let d = 0; d < departments; d++) {
    depts.push({ id: `d${d}`, name: { zh: `部门${d}`, en: `Department ${d}` } });
    const props = {};
    const map = {};
    const required = [];
    for (let f = 0; f < fields; f++) {
      const name = `d${d}f${f}`;
      let schema;
      let key;
      if (f < shared) {
        const k = (f + d * 7) % (shared * 2);
        schema = sharedSchema(k, d);
        key = `shared.k${k}`;
      } else {
        schema = ownSchema(f);
        key = `d${d}.f${f}`;
      }
      if (f % 5 === 0) required.push(name);
      props[name] = schema;
      map[`/${name}`] = key;
    }
    items.push({
      id: `item${d}`, department: `d${d}`,
      title: { zh: `事项${d}`, en: `Item ${d}` },
      schema: { type: 'object', required, properties: props },
      field_map: map,
    });
  }
  return { id: 'generated', version: '1', title: { zh: '生成', en: 'Generated' }, lead: 'd0', departments: depts, items };
}

function sharedSchema(k, d) {
  switch (k % 4) {
    case 0: return { type: 'string', maxLength: 40 + (d % 20), title: `共享${k}` };
    case 1: return { type: 'integer', minimum: 0, maximum: 1000 + d };
    case 2: return { type: 'string', format: 'date' };
    default: return { enum: ['A', 'B', 'C', 'D'].slice(0, 2 + (d % 3)) };
  }
}

function ownSchema(f) {
  switch (f % 3) {
    case 0: return { type: 'string', maxLength: 100 };
    case 1: return { type: 'number', minimum: 0 };
    default: return { type: 'boolean' };
  }
}

/** A value the generated form accepts for a field of this schema. */
export function sample(field, n) {
  if (Array.isArray(field.enum)) return field.enum[n % field.enum.length];
  if (field.type === 'integer' || field.type === 'number') return n % 500;
  if (field.type === 'boolean') return n % 2 === 0;
  if (field.format === 'date') return '2026-03-02';
  return `值${n}`;
}

// The list bundle of core/benches/bundle.rs `list_bundle`: `departments` departments each
// mapping one list of `columns` columns in its own names (`/l{d}/*/d{d}c{k}` →
// `rows[].col{k}`), every fifth column a number. Keep in step with it. (Line comments: the
// pointer's `*/` would end a block comment.)
export function listBundle(departments, columns) {
  const items = [];
  for (let d = 0; d < departments; d++) {
    const properties = {};
    const map = {};
    for (let k = 0; k < columns; k++) {
      properties[`d${d}c${k}`] = k % 5 === 4
        ? { type: 'number', minimum: 0, maximum: 1000 + d }
        : { type: 'string', maxLength: 20 + d + k };
      map[`/l${d}/*/d${d}c${k}`] = `rows[].col${k}`;
    }
    items.push({
      id: `item${d}`, department: `dept${d}`,
      title: { zh: `事项${d}`, en: `Item ${d}` },
      schema: { type: 'object', properties: { [`l${d}`]: { type: 'array', maxItems: 5000,
        items: { type: 'object', required: [`d${d}c0`], properties } } } },
      field_map: map,
    });
  }
  const departmentsList = Array.from({ length: departments }, (_, d) => ({ id: `dept${d}`, name: { zh: `部门${d}`, en: `Dept ${d}` } }));
  return JSON.stringify({ id: 'lists', version: '1', title: { zh: '列表', en: 'Lists' }, lead: 'dept0',
    departments: departmentsList, items });
}

/** `rows` elements over `columns` columns, valid for `listBundle` (`list_submission`). */
export function listRows(rows, columns) {
  return Array.from({ length: rows }, (_, r) => Object.fromEntries(
    Array.from({ length: columns }, (_, k) => [`col${k}`, k % 5 === 4 ? r % 1000 : `第${r}行${k}`])));
}
