//! Speed of compiling bundles and of validating and dispatching submissions.
//!
//! Run with `cargo bench -p onething --bench bundle`; figures go to BENCHMARKS.md.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use onething::{CompiledBundle, Submission, load};
use serde_json::{Map, Value, json};

const FIXTURES: [(&str, &str); 3] =
    [("business-startup", "valid-full"), ("restaurant-opening", "valid-full"), ("newborn", "valid-full")];

fn fixture(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures").join(name);
    serde_json::to_string(&load::load_dir(&dir).unwrap()).unwrap()
}

fn submission(name: &str, file: &str) -> Submission {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name)
        .join("submissions")
        .join(format!("{file}.json"));
    Submission::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A bundle of `departments` items of `fields` properties each; `overlap` of every item's
/// properties are canonical keys shared with other departments (each under the
/// department's own property name), the rest are its own.
pub fn generated(departments: usize, fields: usize, overlap: f64) -> Value {
    let shared = ((fields as f64) * overlap).round() as usize;
    let mut items = Vec::new();
    let mut depts = Vec::new();
    for d in 0..departments {
        depts.push(json!({"id": format!("d{d}"), "name": {"zh": format!("部门{d}"), "en": format!("Department {d}")}}));
        let mut props = Map::new();
        let mut map = Map::new();
        let mut required = Vec::new();
        for f in 0..fields {
            let name = format!("d{d}f{f}");
            let (schema, key) = if f < shared {
                // Shared keys rotate so that every department shares with its neighbours.
                let k = (f + d * 7) % (shared * 2);
                (shared_schema(k, d), format!("shared.k{k}"))
            } else {
                (own_schema(f), format!("d{d}.f{f}"))
            };
            if f % 5 == 0 {
                required.push(json!(name));
            }
            props.insert(name.clone(), schema);
            map.insert(format!("/{name}"), json!(key));
        }
        items.push(json!({
            "id": format!("item{d}"), "department": format!("d{d}"),
            "title": {"zh": format!("事项{d}"), "en": format!("Item {d}")},
            "schema": {"type": "object", "required": required, "properties": props},
            "field_map": map
        }));
    }
    json!({"id": "generated", "version": "1", "title": {"zh": "生成", "en": "Generated"}, "lead": "d0", "departments": depts, "items": items})
}

fn shared_schema(k: usize, d: usize) -> Value {
    match k % 4 {
        0 => json!({"type": "string", "maxLength": 40 + (d % 20), "title": format!("共享{k}")}),
        1 => json!({"type": "integer", "minimum": 0, "maximum": 1000 + d}),
        2 => json!({"type": "string", "format": "date"}),
        _ => {
            let codes: Vec<&str> = ["A", "B", "C", "D"].into_iter().take(2 + d % 3).collect();
            json!({ "enum": codes })
        }
    }
}

fn own_schema(f: usize) -> Value {
    match f % 3 {
        0 => json!({"type": "string", "maxLength": 100}),
        1 => json!({"type": "number", "minimum": 0}),
        _ => json!({"type": "boolean"}),
    }
}

fn compile_fixtures(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    for (name, _) in FIXTURES {
        let packed = fixture(name);
        g.bench_function(name, |b| {
            b.iter(|| CompiledBundle::compile(load::from_packed_str(black_box(&packed)).unwrap()).unwrap())
        });
        // Peer: what any system pays without merging — parse the bundle and compile each
        // department's schema with jsonschema.
        g.bench_function(format!("{name}/peer-jsonschema-per-department"), |b| {
            b.iter(|| {
                let bundle = load::from_packed_str(black_box(&packed)).unwrap();
                let compiled: Vec<_> =
                    bundle.items.iter().map(|i| onething::schema::compile(&i.schema).unwrap()).collect();
                compiled
            })
        });
    }
    g.finish();
}

fn compile_generated(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile-generated");
    g.sample_size(10);
    for departments in [10, 20, 50, 100] {
        let bundle = generated(departments, 200, 0.3);
        g.throughput(Throughput::Elements((departments * 200) as u64));
        g.bench_with_input(BenchmarkId::from_parameter(departments), &bundle, |b, bundle| {
            b.iter(|| CompiledBundle::compile(load::from_packed_value(bundle.clone()).unwrap()).unwrap())
        });
    }
    g.finish();
}

fn validate_and_dispatch(c: &mut Criterion) {
    let mut g = c.benchmark_group("validate+dispatch");
    for (name, file) in FIXTURES {
        let compiled = CompiledBundle::compile(load::from_packed_str(&fixture(name)).unwrap()).unwrap();
        let s = submission(name, file);
        assert!(compiled.validate(&s).valid);
        g.bench_function(name, |b| b.iter(|| compiled.dispatch(black_box(&s)).unwrap()));
        // Peer: no merged form — build each applicable department's view of the submission
        // and validate it against that department's own schema.
        let applicable = compiled.validate(&s).applicable;
        g.bench_function(format!("{name}/peer-per-department-validation"), |b| {
            b.iter(|| {
                let views: Vec<_> =
                    applicable.iter().map(|i| compiled.department_view(i, black_box(&s)).unwrap()).collect();
                views
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group("validate");
    for (name, file) in FIXTURES {
        let compiled = CompiledBundle::compile(load::from_packed_str(&fixture(name)).unwrap()).unwrap();
        let s = submission(name, file);
        g.bench_function(name, |b| b.iter(|| compiled.validate(black_box(&s))));
    }
    g.finish();
}

fn evaluation_date(name: &str) -> onething::Date {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures").join(name).join("fixture.json");
    let meta: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    meta["evaluation_date"].as_str().unwrap().parse().unwrap()
}

/// Evaluation with every rule (issue "Rules and decisions"): ≤ 50 µs, and ≥ 20,000
/// decisions per second per core on the business start-up fixture. The peer is validation
/// alone (no rules, no decision).
fn evaluate(c: &mut Criterion) {
    let mut g = c.benchmark_group("evaluate");
    for (name, file) in FIXTURES {
        let compiled = CompiledBundle::compile(load::from_packed_str(&fixture(name)).unwrap()).unwrap();
        let s = submission(name, file);
        let date = evaluation_date(name);
        g.bench_function(name, |b| b.iter(|| compiled.evaluate(black_box(&s), date)));
        g.bench_function(format!("{name}/peer-validate-only"), |b| {
            b.iter(|| compiled.validate_with(black_box(&s), Some(date), &onething::EvalOptions::default()))
        });
    }
    g.finish();
}

/// A bundle of `rules` eligibility rules spread over 20 items, each reading two fields.
pub fn many_rules(rules: usize) -> Value {
    let items: Vec<Value> = (0..20)
        .map(|i| {
            let eligibility: Vec<Value> = (0..rules / 20)
                .map(|r| {
                    json!({"id": format!("r{r}"), "title": {"zh": format!("规则{r}"), "en": format!("Rule {r}")},
                           "script": format!("let a = form[\"k{i}\"]; let b = form[\"shared\"]; a != () && b != () && a + b > {r} - 1000")})
                })
                .collect();
            json!({"id": format!("item{i}"), "department": "d", "title": {"zh": "项", "en": "Item"},
                   "schema": {"type": "object", "properties": {"x": {"type": "integer"}, "s": {"type": "integer"}}},
                   "field_map": {"/x": format!("k{i}"), "/s": "shared"}, "eligibility": eligibility})
        })
        .collect();
    json!({"id": "rules", "version": "1", "title": {"zh": "规则", "en": "Rules"}, "lead": "d",
           "departments": [{"id": "d", "name": {"zh": "部门", "en": "Dept"}}], "items": items})
}

fn thousand_rules(c: &mut Criterion) {
    let mut g = c.benchmark_group("rules-1000");
    g.sample_size(20);
    let bundle = many_rules(1000);
    g.bench_function("compile", |b| {
        b.iter(|| {
            CompiledBundle::compile(load::from_packed_value(black_box(bundle.clone())).unwrap()).unwrap()
        })
    });
    let compiled = CompiledBundle::compile(load::from_packed_value(bundle).unwrap()).unwrap();
    let mut values = Map::new();
    values.insert("shared".into(), json!(5));
    for i in 0..20 {
        values.insert(format!("k{i}"), json!(i));
    }
    let s = Submission::with_values(values);
    let date: onething::Date = "2026-03-02".parse().unwrap();
    assert!(compiled.evaluate(&s, date).outcome.is_accepted());
    g.bench_function("evaluate", |b| b.iter(|| compiled.evaluate(black_box(&s), date)));
    g.finish();
}

/// The rule families of the hostile-script attack: each runs until a limit stops it.
const HOSTILE: &[(&str, &str)] = &[
    ("loop", "loop { }"),
    ("array-contains", "let a = []; a.pad(10000, 0); loop { a.contains(-1); }"),
    ("array-copy", "let a = []; a.pad(10000, 0); loop { let b = a; }"),
    ("map-copy", "let m = #{}; for i in 0..5000 { m[`k${i}`] = i; } loop { let n = m; }"),
    ("text-upper", r#"let s = ""; s.pad(10000, "y"); loop { let t = s.to_upper(); }"#),
    ("text-search", r#"let s = ""; s.pad(10000, "y"); loop { s.contains("zz"); }"#),
    ("pad-temporary", r#"loop { let t = "x".pad(10000, "y"); }"#),
    ("working-days", r#"loop { working_days_between("1990-01-01", "2030-12-31"); }"#),
];

/// One item with `rules` eligibility rules, each running `script`: together they ask for
/// more than an evaluation's operations, so the evaluation's limit is what stops them.
fn hostile_bundle(script: &str, rules: usize) -> Value {
    let eligibility: Vec<Value> = (0..rules)
        .map(|r| json!({"id": format!("r{r}"), "title": {"zh": "规则", "en": "Rule"}, "script": script}))
        .collect();
    json!({"id": "hostile", "version": "1", "title": {"zh": "攻击", "en": "Hostile"}, "lead": "d",
           "departments": [{"id": "d", "name": {"zh": "部门", "en": "Dept"}}],
           "items": [{"id": "i", "department": "d", "title": {"zh": "项", "en": "Item"},
                      "schema": {"type": "object", "properties": {"x": {"type": "integer"}}},
                      "eligibility": eligibility}]})
}

/// The bound on one decision: the slowest a bundle of hostile rules can make one
/// evaluation, family by family, against an ordinary fixture's evaluation in the same run.
fn bound(c: &mut Criterion) {
    let mut g = c.benchmark_group("bound");
    g.sample_size(10);
    let date: onething::Date = "2026-03-02".parse().unwrap();
    let s = Submission::with_values(Map::new());
    for (name, script) in HOSTILE {
        let compiled =
            CompiledBundle::compile(load::from_packed_value(hostile_bundle(script, 20)).unwrap()).unwrap();
        assert_eq!(compiled.evaluate(&s, date).outcome, onething::Outcome::ManualReview, "{name}");
        g.bench_function(*name, |b| b.iter(|| compiled.evaluate(black_box(&s), date)));
    }
    let compiled =
        CompiledBundle::compile(load::from_packed_str(&fixture("business-startup")).unwrap()).unwrap();
    let peer = submission("business-startup", "valid-full");
    g.bench_function("peer-business-startup-evaluate", |b| {
        b.iter(|| compiled.evaluate(black_box(&peer), evaluation_date("business-startup")))
    });
    g.finish();
}

/// A value the generated form accepts for a field of this schema.
fn sample(field: &Value, n: usize) -> Value {
    if let Some(options) = field["enum"].as_array() {
        return options[n % options.len()].clone();
    }
    match field["type"].as_str() {
        Some("integer") | Some("number") => json!(n % 500),
        Some("boolean") => json!(n % 2 == 0),
        _ if field["format"] == "date" => json!("2026-03-02"),
        _ => json!(format!("值{n}")),
    }
}

/// The wizard (issue 6): one `set` and the `state()` after it, on a generated form of about
/// 300 fields, half of them filled: ≤ 200 µs median.
fn wizard(c: &mut Criterion) {
    let mut g = c.benchmark_group("wizard");
    let compiled = CompiledBundle::compile(load::from_packed_value(generated(4, 90, 0.3)).unwrap()).unwrap();
    let keys: Vec<String> = compiled.keys().keys().cloned().collect();
    assert!((280..=320).contains(&keys.len()), "{} fields", keys.len());
    let mut w = onething::Wizard::new(&compiled, None, Some("2026-03-02".parse().unwrap()));
    for (n, k) in keys.iter().enumerate().step_by(2) {
        w.set(k, sample(&compiled.form()["properties"][k], n)).unwrap();
    }
    let key = keys[1].clone();
    let values =
        [sample(&compiled.form()["properties"][&key], 1), sample(&compiled.form()["properties"][&key], 2)];
    let mut n = 0usize;
    g.bench_function("set+state/300-fields", |b| {
        b.iter(|| {
            n += 1;
            w.set(&key, values[n % 2].clone()).unwrap();
            w.state()
        })
    });
    // Peer: validation alone of the same answers (no steps, no warnings, no materials).
    let s = w.submit();
    g.bench_function("set+state/300-fields/peer-validate-only", |b| {
        b.iter(|| compiled.validate(black_box(&s)))
    });
    g.finish();
}

/// Prefill (issue 4) of each fixture from every source document its `fixture.json` lists,
/// all consented, nothing typed: ≤ 30 µs median.
fn prefill(c: &mut Criterion) {
    let mut g = c.benchmark_group("prefill");
    for (name, _) in FIXTURES {
        let compiled = CompiledBundle::compile(load::from_packed_str(&fixture(name)).unwrap()).unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures").join(name);
        let meta: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("fixture.json")).unwrap()).unwrap();
        let documents: indexmap::IndexMap<String, Value> = meta["sources"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(id, file)| {
                let text = std::fs::read_to_string(dir.join(file.as_str().unwrap())).unwrap();
                (id.clone(), serde_json::from_str(&text).unwrap())
            })
            .collect();
        let consent: Vec<String> = documents.keys().cloned().collect();
        let date = evaluation_date(name);
        let typed = Map::new();
        assert!(compiled.prefill(&typed, &consent, &documents, Some(date)).notes.is_empty());
        g.bench_function(name, |b| {
            b.iter(|| compiled.prefill(black_box(&typed), black_box(&consent), &documents, Some(date)))
        });
    }
    g.finish();
}

/// A bundle of `departments` departments, each mapping one list of `columns` columns in its
/// own names (`/l/*/c{k}` → `rows[].col{k}`; string columns with department-specific
/// lengths, every fifth a number), the list's elements required to name column 0.
pub fn list_bundle(departments: usize, columns: usize) -> Value {
    let items: Vec<Value> = (0..departments)
        .map(|d| {
            let mut properties = serde_json::Map::new();
            let mut map = serde_json::Map::new();
            for k in 0..columns {
                let schema = if k % 5 == 4 {
                    json!({"type": "number", "minimum": 0, "maximum": 1000 + d})
                } else {
                    json!({"type": "string", "maxLength": 20 + d + k})
                };
                properties.insert(format!("d{d}c{k}"), schema);
                map.insert(format!("/l{d}/*/d{d}c{k}"), json!(format!("rows[].col{k}")));
            }
            json!({
                "id": format!("item{d}"), "department": format!("dept{d}"),
                "title": {"zh": format!("事项{d}"), "en": format!("Item {d}")},
                "schema": {"type": "object", "properties": {format!("l{d}"): {"type": "array", "maxItems": 5000,
                    "items": {"type": "object", "required": [format!("d{d}c0")], "properties": properties}}}},
                "field_map": map
            })
        })
        .collect();
    let departments: Vec<Value> = (0..departments)
        .map(|d| json!({"id": format!("dept{d}"), "name": {"zh": format!("部门{d}"), "en": format!("Dept {d}")}}))
        .collect();
    json!({"id": "lists", "version": "1", "title": {"zh": "列表", "en": "Lists"}, "lead": "dept0",
           "departments": departments, "items": items})
}

/// A submission of `rows` elements over `columns` columns, valid for [`list_bundle`].
pub fn list_submission(rows: usize, columns: usize) -> Submission {
    let rows: Vec<Value> = (0..rows)
        .map(|r| {
            let row: serde_json::Map<String, Value> = (0..columns)
                .map(|k| {
                    (
                        format!("col{k}"),
                        if k % 5 == 4 { json!(r % 1000) } else { json!(format!("第{r}行{k}")) },
                    )
                })
                .collect();
            Value::Object(row)
        })
        .collect();
    serde_json::from_value(json!({"values": {"rows": rows}})).unwrap()
}

/// Lists (issue "Repeating groups"): 10 departments each mapping a list of 20 columns;
/// compile, and validate + evaluate, and dispatch, at 10, 100 and 1,000 rows. The peer is
/// each department's own schema validating its own view (what a per-department portal does).
fn lists(c: &mut Criterion) {
    let bundle = list_bundle(10, 20);
    let mut g = c.benchmark_group("lists");
    g.sample_size(20);
    g.bench_function("compile/10x20", |b| {
        b.iter(|| CompiledBundle::compile(load::from_packed_value(bundle.clone()).unwrap()).unwrap())
    });
    let compiled = CompiledBundle::compile(load::from_packed_value(bundle).unwrap()).unwrap();
    let date: onething::Date = "2026-12-07".parse().unwrap();
    for rows in [10, 100, 1000] {
        let s = list_submission(rows, 20);
        let v = compiled.validate(&s);
        assert!(v.valid, "{:?}", v.errors.first());
        g.throughput(Throughput::Elements(rows as u64));
        g.bench_with_input(BenchmarkId::new("validate+evaluate", rows), &s, |b, s| {
            b.iter(|| compiled.evaluate(black_box(s), date))
        });
        g.bench_with_input(BenchmarkId::new("dispatch", rows), &s, |b, s| {
            b.iter(|| compiled.dispatch(black_box(s)).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("peer-per-department-validation", rows), &s, |b, s| {
            b.iter(|| {
                let views: Vec<_> =
                    v.applicable.iter().map(|i| compiled.department_view(i, black_box(s)).unwrap()).collect();
                views
            })
        });
    }
    // Wizard row editing: one set_cell on row 50 of 100 and the state after it.
    let s = list_submission(100, 20);
    let mut w = onething::Wizard::new(&compiled, None, Some(date));
    w.set("rows", s.values["rows"].clone()).unwrap();
    let mut n = 0usize;
    g.bench_function("wizard-set-cell+state/100", |b| {
        b.iter(|| {
            n += 1;
            w.set_cell("rows", 50, "col1", json!(format!("第50行{}", n % 2))).unwrap();
            w.state()
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    compile_fixtures,
    compile_generated,
    validate_and_dispatch,
    evaluate,
    thousand_rules,
    wizard,
    prefill,
    bound,
    lists
);
criterion_main!(benches);
