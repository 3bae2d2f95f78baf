//! `merge`: the exact conjunction of arbitrary JSON Schemas (invariant 1 for plain schemas).
//!
//! Input, either form:
//!
//! * NUL-separated parts `A, B[, C][, instances]`: two or three JSON Schemas, then
//!   optionally a JSON value (an array is taken element by element) of instances to judge
//!   with. With exactly three parts the third is the instances. Seeded from the
//!   JSON-Schema-Test-Suite and the fixtures' department schemas.
//! * `~` + bytes: two schemas built from the bytes by `onething_fuzz::grammar` (a grammar of
//!   the keywords the merge combines), so that every mutation is a schema pair.
//!
//! Not only "no panic": a merge that is wrong but well-formed is the defect that matters, so
//! on generated instances (see `onething_fuzz::instances`) this checks, with the `jsonschema`
//! validator (draft 2020-12, the crate's options):
//!
//! * `valid(merge(A, B[, C]), x) == valid(A, x) && valid(B, x) [&& valid(C, x)]`;
//! * flattening one schema is exact: `valid(merge(A), x) == valid(A, x)`, and the same for B;
//! * a reported contradiction is real: no instance satisfies every input;
//! * the merged schema is a usable document: it compiles, `Document::new` accepts it (no
//!   dangling `$ref`), and merging it again succeeds and accepts the same instances;
//! * the only other errors are the bounds on depth and work (`too_deep`, `too_large`).
//!
//! Inputs that the validator or `Document::new` refuse (remote refs, other dialects…) are
//! skipped: they are not the merge's to judge.

#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use onething::schema::{self, Document, MergeError, MergeOptions, Origin, SchemaError};
use onething_fuzz::{grammar, instances, parts};
use serde_json::Value;

/// Longer inputs are skipped: they only slow the search down.
const MAX_INPUT: usize = 64 << 10;

struct Input {
    schema: Value,
    doc: Arc<Document>,
    validator: jsonschema::Validator,
}

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_INPUT {
        return;
    }
    let (schemas, extra) = if let [b'~', rest @ ..] = data {
        let mut bytes = grammar::Bytes::new(rest);
        (vec![grammar::document(&mut bytes), grammar::document(&mut bytes)], None)
    } else {
        let split = parts::split(data);
        let (texts, extra) = match split.as_slice() {
            [a, b] => (vec![*a, *b], None),
            [a, b, x] => (vec![*a, *b], Some(*x)),
            [a, b, c, x, ..] => (vec![*a, *b, *c], Some(*x)),
            _ => return,
        };
        let Ok(schemas) = texts.iter().map(|t| serde_json::from_slice::<Value>(t)).collect() else { return };
        (schemas, extra.and_then(|x| serde_json::from_slice::<Value>(x).ok()))
    };
    let mut inputs = Vec::new();
    for (i, schema) in schemas.into_iter().enumerate() {
        let name = ["a", "b", "c"][i];
        let Ok(validator) = schema::compile(&schema) else { return };
        let Ok(doc) = Document::new(schema.clone(), Origin::document(name), name) else { return };
        inputs.push(Input { schema, doc: Arc::new(doc), validator });
    }
    let xs = instances::generate(&inputs.iter().map(|i| &i.schema).collect::<Vec<_>>(), extra.as_ref());

    for one in inputs.iter().take(2) {
        let expected: Vec<bool> = xs.iter().map(|x| one.validator.is_valid(x)).collect();
        check(std::slice::from_ref(one), &xs, &expected);
    }
    let expected: Vec<bool> = xs.iter().map(|x| inputs.iter().all(|i| i.validator.is_valid(x))).collect();
    check(&inputs, &xs, &expected);
});

/// Merges `inputs` and checks the result against what the inputs accept (`expected`).
fn check(inputs: &[Input], xs: &[Value], expected: &[bool]) {
    let docs: Vec<Arc<Document>> = inputs.iter().map(|i| Arc::clone(&i.doc)).collect();
    let show = || inputs.iter().map(|i| i.schema.to_string()).collect::<Vec<_>>().join("\n  ");
    match schema::merge(&docs, MergeOptions::default()) {
        Ok(out) => {
            let merged = out.schema;
            let v = schema::compile(&merged).unwrap_or_else(|e| {
                panic!("merged schema does not compile: {e:?}\ninputs:\n  {}\nmerged: {merged}", show())
            });
            for (x, want) in xs.iter().zip(expected) {
                assert_eq!(
                    v.is_valid(x),
                    *want,
                    "merge is not exact on instance {x}: the inputs {} it, the merged schema does not\ninputs:\n  {}\nmerged: {merged}",
                    if *want { "accept" } else { "refuse" },
                    show()
                );
            }
            // The output is a document in its own right: merging it again must work (a
            // dangling `$ref` or a broken `$defs` shows here) and change nothing.
            let again = Document::new(merged.clone(), Origin::document("merged"), "m").unwrap_or_else(|e| {
                panic!("merged schema is not a valid document: {e}\ninputs:\n  {}\nmerged: {merged}", show())
            });
            match schema::merge(&[Arc::new(again)], MergeOptions::default()) {
                Ok(out2) => {
                    let v2 = schema::compile(&out2.schema).unwrap_or_else(|e| {
                        panic!(
                            "re-merged schema does not compile: {e:?}\nmerged: {merged}\nre-merged: {}",
                            out2.schema
                        )
                    });
                    for (x, want) in xs.iter().zip(expected) {
                        assert_eq!(
                            v2.is_valid(x),
                            *want,
                            "re-merging the merged schema is not exact on instance {x}\ninputs:\n  {}\nmerged: {merged}\nre-merged: {}",
                            show(),
                            out2.schema
                        );
                    }
                }
                Err(e) if bounded(&e) => {}
                Err(e) => {
                    panic!("re-merging the merged schema fails: {e}\ninputs:\n  {}\nmerged: {merged}", show())
                }
            }
        }
        Err(MergeError::Unsatisfiable(u)) => {
            if let Some(x) = xs.iter().zip(expected).find_map(|(x, w)| w.then_some(x)) {
                panic!(
                    "merge reports a contradiction ({u}) but {x} satisfies every input\ninputs:\n  {}",
                    show()
                );
            }
        }
        Err(e) if bounded(&e) => {}
        Err(e) => panic!("merge fails on accepted documents: {e}\ninputs:\n  {}", show()),
    }
}

/// The documented bounds on depth and work: a refusal, not a defect.
fn bounded(e: &MergeError) -> bool {
    matches!(e, MergeError::Schema(SchemaError::TooDeep { .. } | SchemaError::TooLarge { .. }))
}
