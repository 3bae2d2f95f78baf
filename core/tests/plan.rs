//! The process plan (一个流程 / 并联审批): every fixture's plan is snapshot-tested as JSON,
//! Mermaid and DOT (outputs checked by hand once); cycles, dependencies on missing items,
//! missing time limits, plans of some items only and label escaping are checked directly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{compile_fixture, fixtures, settings};

use onething::{Bundle, CompiledBundle, Lang, Problem, load};
use serde_json::{Value, json};

/// A bundle of one department whose items are given as (id, time limit, extra fields).
fn bundle(items: &[(&str, Option<u32>, Value)]) -> Bundle {
    let items: Vec<Value> = items
        .iter()
        .map(|(id, days, extra)| {
            let mut item = json!({"id": id, "department": "d", "title": {"zh": format!("事项{id}"), "en": format!("Item {id}")},
                                  "schema": {"type": "object"}});
            if let Some(d) = days {
                item["time_limit_days"] = json!(d);
            }
            for (k, v) in extra.as_object().unwrap() {
                item[k] = v.clone();
            }
            item
        })
        .collect();
    serde_json::from_value(json!({
        "id": "t", "version": "1", "title": {"zh": "测试", "en": "Test"}, "lead": "d",
        "departments": [{"id": "d", "name": {"zh": "局", "en": "Bureau"}}, {"id": "e", "name": {"zh": "厅", "en": "Office"}}],
        "items": items
    }))
    .unwrap()
}

#[test]
fn every_fixture_plan_as_json_mermaid_and_dot() {
    let schema = onething::schemas::all().into_iter().find(|(n, _)| *n == "plan").unwrap().1;
    let validator = onething::schema::compile(&schema).unwrap();
    for dir in fixtures() {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let compiled =
            CompiledBundle::compile(load::load_dir(&dir).unwrap()).unwrap_or_else(|e| panic!("{e}"));
        let plan = compiled.plan();
        let json = serde_json::to_value(&plan).unwrap();
        assert!(validator.is_valid(&json), "{name}: plan does not match its schema");
        let back: onething::Plan = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, plan);
        // Every item is in exactly one stage, after every item it waits for.
        for item in &plan.items {
            assert_eq!(plan.stages.iter().filter(|s| s.items.contains(&item.id)).count(), 1);
            for before in &item.after {
                let b = plan.items.iter().find(|i| &i.id == before).unwrap();
                assert!(b.stage < item.stage, "{name}: {} before {}", b.id, item.id);
            }
        }
        settings().bind(|| {
            insta::assert_json_snapshot!(format!("{name}__plan"), json);
            insta::assert_snapshot!(format!("{name}__plan__zh.mmd"), plan.to_mermaid(Lang::Zh));
            insta::assert_snapshot!(format!("{name}__plan__en.mmd"), plan.to_mermaid(Lang::En));
            insta::assert_snapshot!(format!("{name}__plan__zh.dot"), plan.to_dot(Lang::Zh));
            insta::assert_snapshot!(format!("{name}__plan__en.dot"), plan.to_dot(Lang::En));
        });
    }
}

#[test]
fn newborn_evidence_orders_the_items() {
    let plan = compile_fixture("newborn").plan();
    let stages: Vec<Vec<&str>> =
        plan.stages.iter().map(|s| s.items.iter().map(String::as_str).collect()).collect();
    assert_eq!(
        stages,
        [
            vec!["birth-medical-certificate", "vaccination-certificate"],
            vec!["household-registration"],
            vec!["medical-insurance"],
            vec!["social-security-card"],
        ]
    );
    // Household registration waits for the certificate twice over: declared, and by evidence.
    let edge = plan.edges.iter().find(|e| e.to == "household-registration").unwrap();
    assert_eq!(edge.from, "birth-medical-certificate");
    assert!(edge.depends_on);
    assert_eq!(edge.evidence, ["birth-certificate"]);
    assert_eq!(plan.time_limit.critical_path_days, Some(16));
    assert_eq!(
        plan.time_limit.critical_path,
        ["birth-medical-certificate", "household-registration", "medical-insurance", "social-security-card"]
    );
    let ssc = plan.items.iter().find(|i| i.id == "social-security-card").unwrap();
    assert_eq!((ssc.start_day, ssc.finish_day), (Some(6), Some(16)));
    assert!(ssc.optional && ssc.critical);
}

#[test]
fn restaurant_runs_four_items_in_parallel() {
    let plan = compile_fixture("restaurant-opening").plan();
    assert_eq!(plan.stages.len(), 2);
    assert_eq!(plan.stages[1].items.len(), 4);
    assert_eq!(plan.stages[1].longest_days, Some(10));
    assert_eq!(plan.time_limit.critical_path_days, Some(11));
    assert_eq!(plan.time_limit.sum_of_items_days, Some(31));
    // The first item of the longest stage in bundle order is on the critical path.
    assert_eq!(plan.time_limit.critical_path, ["business-licence-check", "fire-safety-inspection"]);
    // Per department: market regulation works in both stages.
    let amr = plan.departments.iter().find(|d| d.department == "market-regulation").unwrap();
    assert!(amr.lead);
    let work: Vec<(u32, Vec<&str>)> =
        amr.work.iter().map(|w| (w.stage, w.items.iter().map(String::as_str).collect())).collect();
    assert_eq!(work, [(1, vec!["business-licence-check"]), (2, vec!["food-business-licence"])]);
}

#[test]
fn a_cycle_is_a_compile_error_naming_the_cycle() {
    // a → b by depends_on, b → c by evidence, c → a by depends_on.
    let b = bundle(&[
        ("a", Some(1), json!({"depends_on": ["c"], "produces": ["x"]})),
        ("b", Some(1), json!({"consumes": ["x"], "produces": ["y"]})),
        ("c", Some(1), json!({"consumes": ["y"]})),
        ("free", Some(1), json!({})),
    ]);
    let err = CompiledBundle::compile(b).unwrap_err();
    let cycles: Vec<&Problem> = err.problems.iter().filter(|p| matches!(p, Problem::Cycle { .. })).collect();
    assert_eq!(cycles.len(), 1, "{err}");
    let Problem::Cycle { items, because, .. } = cycles[0] else { unreachable!() };
    assert_eq!(items, &["a", "b", "c", "a"]);
    assert_eq!(
        because,
        &["`b` consumes `x` produced by `a`", "`c` consumes `y` produced by `b`", "`a` depends on `c`",]
    );
    assert!(err.to_string().contains("dependency cycle: a → b → c → a"), "{err}");
    // As JSON, for `onething check --json`.
    let json = serde_json::to_value(cycles[0]).unwrap();
    assert_eq!(json["kind"], "cycle");
}

#[test]
fn two_separate_cycles_are_both_reported() {
    let b = bundle(&[
        ("a", Some(1), json!({"depends_on": ["b"]})),
        ("b", Some(1), json!({"depends_on": ["a"]})),
        ("c", Some(1), json!({"depends_on": ["d"]})),
        ("d", Some(1), json!({"depends_on": ["c"]})),
    ]);
    let err = CompiledBundle::compile(b).unwrap_err();
    let named: Vec<String> = err
        .problems
        .iter()
        .filter_map(|p| match p {
            Problem::Cycle { items, .. } => Some(items.join(" → ")),
            _ => None,
        })
        .collect();
    assert_eq!(named, ["a → b → a", "c → d → c"]);
}

#[test]
fn an_item_consuming_its_own_evidence_is_a_cycle_of_one() {
    let b = bundle(&[("a", Some(1), json!({"produces": ["x"], "consumes": ["x"]}))]);
    let err = CompiledBundle::compile(b).unwrap_err();
    assert!(err.to_string().contains("dependency cycle: a → a (`a` consumes `x` produced by `a`)"), "{err}");
}

#[test]
fn a_dependency_on_a_missing_item_is_a_compile_error() {
    let b = bundle(&[
        ("a", Some(1), json!({"depends_on": ["ghost"]})),
        ("b", Some(1), json!({"depends_on": ["b"]})),
    ]);
    let err = CompiledBundle::compile(b).unwrap_err();
    assert!(
        err.problems.contains(&Problem::Unknown {
            at: "item `a`, depends_on".into(),
            what: "item".into(),
            id: "ghost".into(),
            suggestion: None,
            bundle_pointer: Some("/items/0/depends_on/0".into()),
        }),
        "{err}"
    );
    assert!(err.to_string().contains("an item cannot depend on itself"), "{err}");
    // Neither is mistaken for a cycle.
    assert!(!err.problems.iter().any(|p| matches!(p, Problem::Cycle { .. })), "{err}");
}

#[test]
fn an_item_handled_after_payment_says_so_in_the_plan_and_the_notice() {
    // 先税后证: the registry (c) waits for the tax (a) by depends_on and counts its time
    // limit from the payment of what the tax obliges; b runs beside them.
    let owed =
        json!([{"id": "tax", "title": {"zh": "缴税", "en": "Pay the tax"}, "script": "#{ amount: 10.0 }"}]);
    let b = bundle(&[
        ("a", Some(1), json!({"obligations": owed})),
        ("b", Some(2), json!({})),
        ("c", Some(5), json!({"depends_on": ["a"], "after_payment_of": ["a"]})),
    ]);
    let compiled = CompiledBundle::compile(b).unwrap();
    let plan = compiled.plan();
    let c = plan.items.iter().find(|i| i.id == "c").unwrap();
    assert_eq!(c.after_payment, ["a"]);
    assert_eq!((c.start_day, c.finish_day), (Some(1), Some(6)), "the working days leave the payment out");
    assert!(plan.items.iter().filter(|i| i.id != "c").all(|i| i.after_payment.is_empty()));
    let note = plan.notes.iter().find(|n| n.zh.contains("缴清")).unwrap();
    assert_eq!(
        note.zh,
        "「事项c」缴清「事项a」应缴款项后办理，其时限自缴清之日起计算；总时限不含申请人缴款的时间。"
    );
    assert!(note.en.starts_with("Item c is handled once what is owed under Item a is paid;"), "{}", note.en);
    assert!(plan.to_mermaid(Lang::Zh).contains("缴清「事项a」应缴款项后办理"));
    assert!(plan.to_dot(Lang::En).contains("handled once what is owed under Item a is paid"));
    // Without the tax item in the plan of one application, there is nothing to pay first.
    let without = compiled.plan_for(&["b", "c"]).unwrap();
    assert!(without.items.iter().all(|i| i.after_payment.is_empty()));
    assert!(!without.notes.iter().any(|n| n.zh.contains("缴清")));
    // The notice's process table says it beside the stage.
    let notice = compiled.notice();
    assert_eq!(notice.items.iter().find(|i| i.id == "c").unwrap().after_payment, ["a"]);
    assert!(notice.to_markdown(Lang::Zh).contains("第2阶段；缴清「事项a」应缴款项后办理"));
}

#[test]
fn an_applicant_owing_nothing_first_waits_for_no_payment() {
    // The tax obliges only when the price is over a threshold (an exemption below it).
    let owed = json!([{"id": "tax", "title": {"zh": "缴税", "en": "Pay the tax"},
                       "script": "if form.price > 100 { #{ amount: form.price / 100.0, unit: \"元\" } }"}]);
    let mut b = bundle(&[
        ("a", Some(1), json!({"obligations": owed})),
        ("c", Some(5), json!({"depends_on": ["a"], "after_payment_of": ["a"]})),
    ]);
    b.items[0].schema = json!({"type": "object", "properties": {"price": {"type": "number"}}});
    let compiled = CompiledBundle::compile(b).unwrap();
    let date = "2026-05-06".parse().unwrap();
    let situation = |price: u32| {
        let s = onething::Submission::from_json(&json!({"values": {"price": price}}).to_string()).unwrap();
        let notice = compiled.notice_for(&s, date);
        let c = notice.situation.as_ref().unwrap().items.iter().find(|i| i.item == "c").unwrap().clone();
        (c.after_payment, notice.to_markdown(Lang::Zh))
    };
    let (after, text) = situation(300);
    assert_eq!(after, ["a"]);
    assert!(text.contains("缴清「事项a」应缴款项后办理"), "{text}");
    let (after, _) = situation(50);
    assert!(after.is_empty(), "nothing is owed, nothing is waited for");
}

#[test]
fn waiting_for_a_payment_needs_a_prerequisite_that_obliges_something() {
    let owed = json!([{"id": "tax", "title": {"zh": "缴税", "en": "Pay the tax"}, "script": "true"}]);
    let b = bundle(&[
        ("a", Some(1), json!({"obligations": owed})),
        ("b", Some(1), json!({})),
        ("c", Some(1), json!({"depends_on": ["b"], "after_payment_of": ["a", "b", "ghost"]})),
    ]);
    let err = CompiledBundle::compile(b).unwrap_err();
    let at = |n: usize| Some(format!("/items/2/after_payment_of/{n}"));
    let invalid = |n: usize| {
        err.problems.iter().find_map(|p| match p {
            Problem::Invalid { message, bundle_pointer, .. } if *bundle_pointer == at(n) => {
                Some(message.clone())
            }
            _ => None,
        })
    };
    assert_eq!(invalid(0).unwrap(), "`a` is not a prerequisite of this item: name it in depends_on too");
    assert_eq!(invalid(1).unwrap(), "`b` has no obligation rules: there is nothing to pay before this item");
    assert!(
        err.problems.iter().any(|p| matches!(p, Problem::Unknown { id, bundle_pointer, .. }
            if id == "ghost" && *bundle_pointer == at(2))),
        "{err}"
    );
    assert_eq!(err.problems.len(), 3, "{err}");
    // A producer of evidence the item consumes is a prerequisite too.
    let owed = json!([{"id": "tax", "title": {"zh": "缴税", "en": "Pay the tax"}, "script": "true"}]);
    let b = bundle(&[
        ("a", Some(1), json!({"obligations": owed, "produces": ["receipt"]})),
        ("c", Some(1), json!({"consumes": ["receipt"], "after_payment_of": ["a"]})),
    ]);
    assert!(CompiledBundle::compile(b).is_ok());
    // Naming one twice is a duplicate, at its second place.
    let owed = json!([{"id": "tax", "title": {"zh": "缴税", "en": "Pay the tax"}, "script": "true"}]);
    let b = bundle(&[
        ("a", Some(1), json!({"obligations": owed})),
        ("c", Some(1), json!({"depends_on": ["a"], "after_payment_of": ["a", "a"]})),
    ]);
    let err = CompiledBundle::compile(b).unwrap_err();
    assert_eq!(
        err.problems,
        [Problem::DuplicateId {
            what: "payment first of item `c`".into(),
            id: "a".into(),
            bundle_pointer: Some("/items/1/after_payment_of/1".into()),
        }],
        "{err}"
    );
}

#[test]
fn a_missing_time_limit_makes_the_total_unknown_and_says_so() {
    let b = bundle(&[
        ("a", Some(2), json!({})),
        ("b", None, json!({"depends_on": ["a"]})),
        ("c", Some(3), json!({"depends_on": ["b"]})),
        ("d", Some(4), json!({})),
    ]);
    let plan = CompiledBundle::compile(b).unwrap().plan();
    let t = &plan.time_limit;
    assert_eq!(t.critical_path_days, None);
    assert_eq!(t.sum_of_items_days, None);
    assert_eq!(t.at_least_days, 5);
    assert_eq!(t.critical_path, ["a", "b", "c"]);
    assert_eq!(t.missing, ["b"]);
    let b_item = plan.items.iter().find(|i| i.id == "b").unwrap();
    assert_eq!((b_item.start_day, b_item.finish_day), (Some(2), None));
    let c_item = plan.items.iter().find(|i| i.id == "c").unwrap();
    assert_eq!((c_item.start_day, c_item.finish_day), (None, None));
    assert!(plan.notes.iter().any(|n| n.en.contains("no committed time limit") && n.en.contains("Item b")));
    assert!(plan.to_mermaid(Lang::Zh).contains("未设定时限"));
    assert!(plan.to_dot(Lang::En).contains("unknown (at least 5 working days)"));
    settings().bind(|| {
        insta::assert_json_snapshot!("plan__missing-time-limit", plan);
    });
}

#[test]
fn a_plan_of_some_items_keeps_dependencies_through_left_out_items() {
    let b = bundle(&[
        ("a", Some(1), json!({"produces": ["x"]})),
        ("b", Some(2), json!({"depends_on": ["a"]})),
        ("c", Some(3), json!({"depends_on": ["b"]})),
        ("d", Some(4), json!({"consumes": ["x", "outside"]})),
    ]);
    let compiled = CompiledBundle::compile(b).unwrap();
    let plan = compiled.plan_for(&["a", "c", "d"]).unwrap();
    let edges: Vec<(&str, &str, Vec<&str>)> = plan
        .edges
        .iter()
        .map(|e| (e.from.as_str(), e.to.as_str(), e.via.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(edges, [("a", "c", vec!["b"]), ("a", "d", vec![])]);
    assert_eq!(plan.time_limit.critical_path_days, Some(5));
    assert_eq!(plan.time_limit.sum_of_items_days, Some(8));
    assert_eq!(plan.external_evidence.len(), 1);
    assert_eq!(plan.external_evidence[0].evidence, "outside");
    assert!(plan.to_dot(Lang::En).contains("label=\"via b\", style=dashed"));
    assert!(compiled.plan_for(&["nope"]).is_err());
    // The plan of no item is empty, not a panic.
    let empty = compiled.plan_for(&[]).unwrap();
    assert!(empty.stages.is_empty());
    assert_eq!(empty.time_limit.critical_path_days, Some(0));
    assert!(empty.to_mermaid(Lang::En).starts_with("flowchart LR"));
}

#[test]
fn mermaid_and_dot_labels_are_escaped() {
    let mut b = bundle(&[
        ("a", Some(1), json!({"produces": ["e\"v|<x>"]})),
        ("b", Some(1), json!({"consumes": ["e\"v|<x>"]})),
    ]);
    b.items[0].title = onething::Text::new("甲\"]; click a call evil() %%", "A\"] --> X\n[\"<b>#1</b>");
    b.items[1].title = onething::Text::new("乙\\\"} digraph x {", "B \\\" -> \"evil\"");
    b.departments[0].name = onething::Text::new("局`x`", "Bureau `x` & co");
    let plan = CompiledBundle::compile(b).unwrap().plan();
    for lang in [Lang::Zh, Lang::En] {
        let m = plan.to_mermaid(lang);
        // Every quoted label holds no raw quote, bracket-closing markup or HTML.
        for line in m.lines().filter(|l| l.contains("[\"")) {
            let label = line.split_once("[\"").unwrap().1.strip_suffix("\"]").unwrap();
            assert!(!label.replace("<br/>", "").contains(['"', '<', '>']), "{line}");
        }
        assert!(m.contains("#quot;"), "{m}");
        assert!(!m.contains("<b>"), "{m}");
        assert!(m.contains("|\"e#quot;v#124;#lt;x#gt;\"|"), "{m}");
        let d = plan.to_dot(lang);
        // Every quote inside a DOT string is escaped: unescaped quotes come in pairs per line.
        for line in d.lines() {
            let mut unescaped = 0;
            let mut backslashes = 0;
            for c in line.chars() {
                if c == '"' && backslashes % 2 == 0 {
                    unescaped += 1;
                }
                backslashes = if c == '\\' { backslashes + 1 } else { 0 };
            }
            assert_eq!(unescaped % 2, 0, "{line}");
        }
        assert_eq!(d.matches("digraph").count(), 1 + usize::from(lang == Lang::Zh), "{d}");
    }
}

#[test]
fn evidence_is_named_by_its_title_and_untitled_evidence_is_a_warning() {
    let bundle = |evidence: serde_json::Value| {
        serde_json::json!({
            "id": "b", "version": "1", "title": {"zh": "事", "en": "Thing"}, "lead": "d",
            "departments": [{"id": "d", "name": {"zh": "局", "en": "Bureau"}}],
            "evidence": evidence,
            "items": [
                {"id": "a", "department": "d", "title": {"zh": "甲", "en": "A"}, "schema": true, "produces": ["cert"]},
                {"id": "b", "department": "d", "title": {"zh": "乙", "en": "B"}, "schema": true, "consumes": ["cert", "deed"]}
            ]
        })
    };
    let titled = serde_json::json!({"cert": {"zh": "出生医学证明", "en": "Birth certificate"}, "deed": {"zh": "房产证", "en": "Deed"}});
    let c = onething::CompiledBundle::compile(onething::load::from_packed_value(bundle(titled)).unwrap())
        .unwrap();
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    let plan = c.plan();
    assert!(plan.to_mermaid(onething::Lang::Zh).contains("出生医学证明"));
    assert!(plan.to_dot(onething::Lang::En).contains("Birth certificate"));
    assert!(plan.notes.iter().any(|n| n.zh.contains("“房产证”不由本事项内任何事项产生")), "{:?}", plan.notes);
    let untitled =
        serde_json::json!({"cert": {"zh": "证", "en": "Cert"}, "spare": {"zh": "多", "en": "Spare"}});
    let c = onething::CompiledBundle::compile(onething::load::from_packed_value(bundle(untitled)).unwrap())
        .unwrap();
    let w: Vec<(&str, Option<&str>)> =
        c.warnings().iter().map(|w| (w.at.as_str(), w.pointer.as_deref())).collect();
    assert_eq!(
        w,
        [("evidence `deed`", Some("/items/1/consumes/1")), ("evidence `spare`", Some("/evidence/spare"))]
    );
}
