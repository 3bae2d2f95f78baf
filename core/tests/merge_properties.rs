//! Invariant 1 for the generic merge over generated schemas: for random schemas A and B and
//! random instances x, `valid(merge(A, B), x) == valid(A, x) && valid(B, x)`, and when the
//! merge reports a conflict, no generated instance satisfies both.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use onething::schema::{self, Document, MergeError, MergeOptions, Origin};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const NAMES: [&str; 4] = ["a", "b", "c", "d"];

fn leaf_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..20).prop_map(|n| json!(n)),
        (-5i64..20).prop_map(|n| json!(n as f64 + 0.5)),
        prop::sample::select(vec!["", "x", "ab", "abc", "2024-05-01", "男", "13800138000"])
            .prop_map(|s| json!(s)),
    ]
}

fn instance() -> impl Strategy<Value = Value> {
    leaf_value().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(prop::sample::select(NAMES.to_vec()), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

fn type_name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["null", "boolean", "integer", "number", "string", "array", "object"])
}

/// One keyword with a random value; `sub` generates subschemas.
fn keyword(sub: BoxedStrategy<Value>) -> impl Strategy<Value = (String, Value)> {
    let kw = |k: &'static str| k.to_owned();
    prop_oneof![
        type_name().prop_map(move |t| (kw("type"), json!(t))),
        prop::collection::btree_set(type_name(), 1..3).prop_map(move |t| (kw("type"), json!(t))),
        prop::collection::vec(leaf_value(), 1..4).prop_map(move |v| (kw("enum"), Value::Array(v))),
        leaf_value().prop_map(move |v| (kw("const"), v)),
        (-3i64..10).prop_map(move |n| (kw("minimum"), json!(n))),
        (-3i64..10).prop_map(move |n| (kw("maximum"), json!(n))),
        (-3i64..10).prop_map(move |n| (kw("exclusiveMinimum"), json!(n))),
        (-3i64..10).prop_map(move |n| (kw("exclusiveMaximum"), json!(n as f64 + 0.5))),
        prop::sample::select(vec![2, 3, 4]).prop_map(move |n| (kw("multipleOf"), json!(n))),
        (0u64..4).prop_map(move |n| (kw("minLength"), json!(n))),
        (0u64..4).prop_map(move |n| (kw("maxLength"), json!(n))),
        prop::sample::select(vec!["^a", "b", "^[0-9-]+$"]).prop_map(move |p| (kw("pattern"), json!(p))),
        prop::sample::select(vec!["date", "cn-mobile"]).prop_map(move |f| (kw("format"), json!(f))),
        (0u64..3).prop_map(move |n| (kw("minItems"), json!(n))),
        (0u64..3).prop_map(move |n| (kw("maxItems"), json!(n))),
        any::<bool>().prop_map(move |b| (kw("uniqueItems"), json!(b))),
        (0u64..3).prop_map(move |n| (kw("minProperties"), json!(n))),
        (0u64..3).prop_map(move |n| (kw("maxProperties"), json!(n))),
        prop::collection::btree_set(prop::sample::select(NAMES.to_vec()), 1..3)
            .prop_map(move |r| (kw("required"), json!(r))),
        prop::collection::btree_map(prop::sample::select(NAMES.to_vec()), sub.clone(), 1..3).prop_map(
            move |m| (
                kw("properties"),
                Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            )
        ),
        sub.clone().prop_map(move |s| (kw("additionalProperties"), s)),
        sub.clone().prop_map(move |s| (kw("items"), s)),
        prop::collection::vec(sub.clone(), 1..3).prop_map(move |s| (kw("prefixItems"), Value::Array(s))),
        sub.clone().prop_map(move |s| (kw("contains"), s)),
        sub.clone().prop_map(move |s| (kw("not"), s)),
        sub.clone().prop_map(move |s| (kw("propertyNames"), s)),
        prop::collection::vec(sub.clone(), 1..3).prop_map(move |s| (kw("allOf"), Value::Array(s))),
        prop::collection::vec(sub.clone(), 1..3).prop_map(move |s| (kw("anyOf"), Value::Array(s))),
        prop::collection::vec(sub.clone(), 1..3).prop_map(move |s| (kw("oneOf"), Value::Array(s))),
        (sub.clone(), sub.clone()).prop_map(move |(i, t)| (kw("if"), json!({"if": i, "then": t}))),
        (prop::sample::select(NAMES.to_vec()), prop::sample::select(NAMES.to_vec()))
            .prop_map(move |(a, b)| (kw("dependentRequired"), json!({ a: [b] }))),
        (prop::sample::select(NAMES.to_vec()), sub.clone())
            .prop_map(move |(a, s)| (kw("dependentSchemas"), json!({ a: s }))),
        sub.prop_map(move |s| (kw("unevaluatedProperties"), s)),
    ]
}

/// The shape departments use most: a typed object whose listed properties are required,
/// closed or not. Generated on purpose: random keywords rarely assemble it.
fn record(sub: BoxedStrategy<Value>) -> impl Strategy<Value = Value> {
    (
        prop::collection::btree_map(prop::sample::select(NAMES.to_vec()), sub, 1..4),
        prop::collection::btree_set(prop::sample::select(NAMES.to_vec()), 0..3),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(props, required, closed)| {
            let mut obj = json!({"type": "object", "properties": props, "required": required});
            if let Some(closed) = closed {
                obj["additionalProperties"] = json!(!closed);
            }
            obj
        })
}

fn schema() -> impl Strategy<Value = Value> {
    schema_over(plain_leaf().boxed())
}

fn plain_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(true)),
        Just(json!(false)),
        Just(json!({})),
        type_name().prop_map(|t| json!({"type": t}))
    ]
}

/// Schemas built from `leaf` by random keywords.
fn schema_over(leaf: BoxedStrategy<Value>) -> impl Strategy<Value = Value> {
    leaf.prop_recursive(2, 16, 4, |inner| {
        let keywords = prop::collection::vec(keyword(inner.clone().boxed()), 1..5).prop_map(|kws| {
            let mut obj = Map::new();
            for (k, v) in kws {
                if k == "if" {
                    // `keyword` packs if/then together.
                    for (kk, vv) in v.as_object().cloned().unwrap_or_default() {
                        obj.insert(kk, vv);
                    }
                } else {
                    obj.insert(k, v);
                }
            }
            Value::Object(obj)
        });
        prop_oneof![3 => keywords, 1 => record(inner.boxed())]
    })
}

/// A document whose subschemas refer to its root (`#`), to its definitions (`#/$defs/D0`)
/// and to an anchor (`#A`), anywhere a subschema may stand. Documents with a reference
/// cycle that never descends into the instance are refused by `Document::new`; the
/// property skips those.
fn schema_with_refs() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        3 => plain_leaf(),
        1 => Just(json!({"$ref": "#"})),
        1 => Just(json!({"$ref": "#/$defs/D0"})),
        1 => Just(json!({"$ref": "#A"})),
    ];
    let body = || schema_over(leaf.clone().boxed());
    (body(), body(), body()).prop_map(|(root, d0, d1)| {
        let mut root = as_object(root);
        let mut d1 = as_object(d1);
        d1.insert("$anchor".into(), json!("A"));
        root.insert("$defs".into(), json!({"D0": d0, "D1": d1}));
        Value::Object(root)
    })
}

/// A schema as an object with the same meaning.
fn as_object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => json!({"allOf": [other]}).as_object().cloned().unwrap_or_default(),
    }
}

fn doc(v: &Value, name: &str) -> std::sync::Arc<Document> {
    std::sync::Arc::new(Document::new(v.clone(), Origin::document(name), name).unwrap())
}

/// Compiles with this crate's validator options, but without `schema::compile` refusing the
/// recursive `unevaluated*` shapes `jsonschema` leaks memory on (`schema::leaking_cycle`):
/// the generator writes some, and what is checked here is the merge, not the refusal.
fn build(v: &Value) -> jsonschema::Validator {
    schema::validator_options().build(v).unwrap_or_else(|e| panic!("does not compile: {e}\n{v:#}"))
}

/// A document, or `None` when `Document::new` refuses it.
fn checked(v: &Value, name: &str) -> Option<std::sync::Arc<Document>> {
    Document::new(v.clone(), Origin::document(name), name).ok().map(std::sync::Arc::new)
}

/// `merge(a, b)` accepts exactly what both accept on `xs`, a conflict is real, and the
/// output merges again to the same answers (no `$ref` left dangling or pointing elsewhere).
fn check_pair(
    a: &std::sync::Arc<Document>,
    b: &std::sync::Arc<Document>,
    xs: &[Value],
) -> Result<(), TestCaseError> {
    let va = build(a.root());
    let vb = build(b.root());
    let expected: Vec<bool> = xs.iter().map(|x| va.is_valid(x) && vb.is_valid(x)).collect();
    match schema::merge(&[a.clone(), b.clone()], MergeOptions::default()) {
        Ok(m) => {
            let v = build(&m.schema);
            for (x, want) in xs.iter().zip(&expected) {
                prop_assert_eq!(v.is_valid(x), *want, "instance {} merged {:#}", x, m.schema);
            }
            // Merged again, the output is taken whole; a conflict found then must be real.
            match schema::merge(&[doc(&m.schema, "m")], MergeOptions::default()) {
                Ok(_) => {}
                Err(MergeError::Unsatisfiable(_)) => prop_assert!(!expected.iter().any(|w| *w)),
                Err(e) => prop_assert!(false, "the output does not merge again: {}\n{:#}", e, m.schema),
            }
        }
        Err(MergeError::Unsatisfiable(u)) => {
            prop_assert!(!expected.iter().any(|w| *w), "conflict {} but an instance satisfies both", u);
        }
        Err(e) => prop_assert!(false, "{}", e),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 768, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn merge_of_generated_schemas_is_exact(a in schema(), b in schema(), xs in prop::collection::vec(instance(), 12)) {
        check_pair(&doc(&a, "a"), &doc(&b, "b"), &xs)?;
    }

    #[test]
    fn merge_of_generated_schemas_with_references_is_exact(
        a in schema_with_refs(),
        b in schema_with_refs(),
        xs in prop::collection::vec(instance(), 12),
    ) {
        let (Some(da), Some(db)) = (checked(&a, "a"), checked(&b, "b")) else {
            return Err(TestCaseError::reject("a reference cycle in place"));
        };
        check_pair(&da, &db, &xs)?;
        check_pair(&db, &da, &xs)?;
    }

    #[test]
    fn flattening_one_generated_schema_is_exact(a in schema(), xs in prop::collection::vec(instance(), 12)) {
        let va = build(&a);
        match schema::merge(&[doc(&a, "a")], MergeOptions::default()) {
            Ok(m) => {
                let v = build(&m.schema);
                for x in &xs {
                    prop_assert_eq!(v.is_valid(x), va.is_valid(x), "instance {} merged {:#}", x, m.schema);
                }
            }
            Err(MergeError::Unsatisfiable(_)) => {
                for x in &xs {
                    prop_assert!(!va.is_valid(x));
                }
            }
            Err(e) => prop_assert!(false, "{}", e),
        }
    }
}
