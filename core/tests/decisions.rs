//! Decisions on small hand-made bundles: the 容缺受理 / 告知承诺 rules one at a time, the
//! sandbox under hostile scripts, and the one-time notice.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use onething::decision::DeficiencyKind;
use onething::{CompiledBundle, Date, Outcome, Problem, Submission, load};
use serde_json::{Value, json};

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// Two items of two departments sharing the applicant's name; the first has rules.
fn bundle(eligibility: Value, extra: Value) -> CompiledBundle {
    compiled(bundle_json(eligibility, extra))
}

fn compiled(b: Value) -> CompiledBundle {
    CompiledBundle::compile(load::from_packed_value(b).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

fn bundle_json(eligibility: Value, extra: Value) -> Value {
    let mut b = json!({
        "id": "t", "version": "1", "title": {"zh": "测", "en": "Test"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}, {"id": "b", "name": {"zh": "乙", "en": "B"}}],
        "fields": {
            "name": {"title": {"zh": "姓名", "en": "Name"}},
            "id": {"title": {"zh": "身份证号码", "en": "ID number"}},
            "area": {"title": {"zh": "面积", "en": "Area"}}
        },
        "items": [
            {"id": "one", "department": "a", "title": {"zh": "一", "en": "One"}, "time_limit_days": 3,
             "schema": {"type": "object", "required": ["xm"], "properties": {
                 "xm": {"type": "string"}, "sfzh": {"type": "string", "format": "cn-id-number"}, "mj": {"type": "number"}}},
             "field_map": {"/xm": "name", "/sfzh": "id", "/mj": "area"},
             "eligibility": eligibility,
             "materials": [
                 {"id": "id-card", "title": {"zh": "身份证", "en": "ID card"}},
                 {"id": "lease", "title": {"zh": "租赁合同", "en": "Lease"}, "commitment": true},
                 {"id": "photo", "title": {"zh": "照片", "en": "Photo"}, "kind": "secondary", "tolerable": true},
                 {"id": "plan", "title": {"zh": "平面图", "en": "Floor plan"}, "kind": "secondary", "tolerable": true,
                  "required_if": {"script": "let a = form[\"area\"]; a != () && a >= 50"}}
             ]},
            {"id": "two", "department": "b", "title": {"zh": "二", "en": "Two"}, "time_limit_days": 10,
             "schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
             "field_map": {"/name": "name"},
             "materials": [
                 {"id": "id-card", "title": {"zh": "身份证", "en": "ID card"}},
                 {"id": "photo", "title": {"zh": "照片", "en": "Photo"}, "kind": "secondary", "tolerable": true}
             ]}
        ]
    });
    if let (Value::Object(b), Value::Object(extra)) = (&mut b, extra) {
        b.extend(extra);
    }
    b
}

fn plain() -> CompiledBundle {
    bundle(json!([]), json!({}))
}

fn submission(v: Value) -> Submission {
    serde_json::from_value(v).unwrap()
}

fn complete() -> Value {
    json!({
        "values": {"name": "张三", "id": "11010519491231002X", "area": 20},
        "materials": {"id-card": "provided", "lease": "provided", "photo": "shared"}
    })
}

fn outcomes(d: &onething::Decision) -> Vec<Outcome> {
    d.items.iter().map(|i| i.outcome).collect()
}

#[test]
fn complete_and_eligible_is_accepted() {
    let d = plain().evaluate(&submission(complete()), date("2026-03-02"));
    assert_eq!(d.outcome, Outcome::Accepted);
    assert_eq!(outcomes(&d), [Outcome::Accepted, Outcome::Accepted]);
    assert!(d.deficiencies.is_empty());
    // The floor plan is required only from 50 m²: its condition ran and said no.
    assert!(
        d.trace.iter().any(|t| t.rule == "required_if" && t.result == json!(false) && t.reads["area"] == 20)
    );
}

#[test]
fn every_deficiency_at_once_and_shared_materials_once() {
    let s = submission(json!({"values": {"id": "110105194912310021", "area": 60}, "materials": {}}));
    let d = plain().evaluate(&s, date("2026-03-02"));
    assert_eq!(d.outcome, Outcome::CorrectionRequired);
    let ids: Vec<&str> = d.deficiencies.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(
        ids,
        ["field:/name", "field:/id", "material:id-card", "material:lease", "material:photo", "material:plan"]
    );
    let card = d.deficiencies.iter().find(|x| x.id == "material:id-card").unwrap();
    assert_eq!(card.items, ["one", "two"]);
    let photo = d.deficiencies.iter().find(|x| x.id == "material:photo").unwrap();
    assert!(photo.tolerable && photo.kind == DeficiencyKind::Material);
    let lease = d.deficiencies.iter().find(|x| x.id == "material:lease").unwrap();
    assert!(lease.fix.en.contains("sign a commitment"), "{:?}", lease.fix);
}

#[test]
fn invariant_4_fixing_exactly_the_listed_deficiencies_yields_acceptance() {
    let b = plain();
    let s = submission(
        json!({"values": {"id": "110105194912310021", "area": 60}, "materials": {"photo": "missing"}}),
    );
    let d = b.evaluate(&s, date("2026-03-02"));
    let mut fixed = s.clone();
    for def in &d.deficiencies {
        match (def.kind, &def.key, &def.material) {
            (DeficiencyKind::Field, Some(key), _) => {
                let good = complete()["values"][key].clone();
                fixed.values_mut().insert(key.clone(), good);
            }
            (DeficiencyKind::Material, _, Some(m)) => {
                fixed.materials.insert(m.clone(), onething::MaterialStatus::Provided);
            }
            other => panic!("{other:?}"),
        }
    }
    let again = b.evaluate(&fixed, date("2026-03-02"));
    assert_eq!(again.outcome, Outcome::Accepted, "{:#?}", again.deficiencies);
}

#[test]
fn tolerance_needs_a_signed_commitment_and_gives_a_deadline_within_the_time_limit() {
    let b = bundle(json!([]), json!({"acceptance": {"supplement_days": 7}}));
    let mut s = complete();
    s["materials"]["photo"] = json!("missing");
    let unsigned = b.evaluate(&submission(s.clone()), date("2026-09-18"));
    assert_eq!(unsigned.outcome, Outcome::CorrectionRequired);
    assert!(unsigned.deficiencies[0].tolerable);
    s["commitments"] = json!(["tolerance"]);
    let d = b.evaluate(&submission(s), date("2026-09-18"));
    assert_eq!(d.outcome, Outcome::AcceptedWithTolerance);
    // Item one's limit is 3 working days (< 7): Sun 20th (worked), Mon 21st, Tue 22nd.
    assert_eq!(d.items[0].supplement_by.as_deref(), Some("2026-09-22"));
    // Item two's limit is 10: the policy's 7 working days apply.
    assert_eq!(d.items[1].supplement_by.as_deref(), Some("2026-09-29"));
    // One supplement for the shared photo, due at the earlier deadline.
    assert_eq!(d.supplements.len(), 1);
    assert_eq!((d.supplements[0].by.as_str(), d.supplements[0].items.len()), ("2026-09-22", 2));
}

#[test]
fn no_tolerance_while_something_else_is_wrong_or_for_the_dishonest() {
    let mut s = complete();
    s["materials"]["photo"] = json!("missing");
    s["materials"]["id-card"] = json!("missing");
    s["commitments"] = json!(["tolerance"]);
    let d = plain().evaluate(&submission(s.clone()), date("2026-03-02"));
    assert_eq!(d.outcome, Outcome::CorrectionRequired);
    assert!(d.deficiencies.iter().any(|x| x.id == "material:photo" && x.tolerable));
    s["materials"]["id-card"] = json!("provided");
    s["applicant"] = json!({"dishonest": true});
    let d = plain().evaluate(&submission(s), date("2026-03-02"));
    assert_eq!(d.outcome, Outcome::CorrectionRequired);
    assert!(d.items[0].reasons[0].message.en.contains("dishonesty list"));
}

/// Item two depends on item one. While one awaits a correction, two is held back with a
/// `depends_on` reason, even with nothing of its own to correct, and is granted no tolerance
/// yet: its missing tolerable material is listed as one that may follow once one is
/// corrected, with no supplement deadline.
#[test]
fn a_prerequisite_awaiting_a_correction_holds_the_item_back_without_tolerance() {
    let mut b = bundle_json(json!([]), json!({}));
    b["items"][1]["depends_on"] = json!(["one"]);
    b["items"][1]["materials"][1] = json!({"id": "stamp", "title": {"zh": "印章", "en": "Stamp"}, "kind": "secondary", "tolerable": true});
    let b = compiled(b);
    let mut s = complete();
    s["materials"]["stamp"] = json!("provided");
    s["commitments"] = json!(["tolerance"]);
    assert_eq!(outcomes(&b.evaluate(&submission(s.clone()), date("2026-03-02"))), [Outcome::Accepted; 2]);
    // One's lease is missing: one needs a correction, two is held back with nothing of its own.
    s["materials"]["lease"] = json!("missing");
    let d = b.evaluate(&submission(s.clone()), date("2026-03-02"));
    assert_eq!(outcomes(&d), [Outcome::CorrectionRequired; 2]);
    assert!(d.items[1].deficiencies.is_empty(), "{:?}", d.items[1]);
    let reason = &d.items[1].reasons[0];
    assert_eq!(reason.rule, Some(onething::decision::ReasonRule::DependsOn));
    assert_eq!(reason.message.zh, "所依赖的事项「一」需补正，本事项待其补正后受理");
    // Two's stamp missing too, tolerable and the tolerance signed: not tolerated yet.
    s["materials"]["stamp"] = json!("missing");
    let d = b.evaluate(&submission(s.clone()), date("2026-03-02"));
    assert_eq!(outcomes(&d), [Outcome::CorrectionRequired; 2]);
    assert!(d.items[1].tolerated.is_empty() && d.items[1].supplement_by.is_none(), "{:?}", d.items[1]);
    assert!(d.supplements.is_empty());
    let stamp = d.deficiencies.iter().find(|x| x.id == "material:stamp").expect("the stamp is listed");
    assert!(stamp.tolerable);
    // One corrected: two is accepted with the stamp tolerated.
    s["materials"]["lease"] = json!("provided");
    let d = b.evaluate(&submission(s), date("2026-03-02"));
    assert_eq!(outcomes(&d), [Outcome::Accepted, Outcome::AcceptedWithTolerance]);
}

#[test]
fn a_commitment_replaces_only_materials_that_allow_it() {
    let mut s = complete();
    s["materials"]["lease"] = json!("committed");
    let d = plain().evaluate(&submission(s.clone()), date("2026-03-02"));
    assert_eq!(outcomes(&d), [Outcome::AcceptedOnCommitment, Outcome::Accepted]);
    assert_eq!(d.outcome, Outcome::AcceptedOnCommitment);
    s["materials"]["id-card"] = json!("committed");
    let d = plain().evaluate(&submission(s.clone()), date("2026-03-02"));
    assert_eq!(d.outcome, Outcome::CorrectionRequired);
    assert!(d.deficiencies[0].message.en.contains("cannot be replaced by a commitment"));
    let off = bundle(json!([]), json!({"acceptance": {"commitment": false}}));
    s["materials"]["id-card"] = json!("provided");
    assert_eq!(off.evaluate(&submission(s), date("2026-03-02")).outcome, Outcome::CorrectionRequired);
}

#[test]
fn eligibility_rules_reject_with_their_message_or_reason() {
    let rules = json!([
        {"id": "adult", "title": {"zh": "年满18周岁", "en": "Aged 18 or over"},
         "message": {"zh": "申请人未满18周岁", "en": "The applicant is under 18"},
         "script": "let id = form[\"id\"]; id != () && id_age(id, today) >= 18"},
        {"id": "small", "title": {"zh": "面积", "en": "Area"},
         "script": "let a = form[\"area\"]; if a > 100 { #{ ok: false, reason: #{ zh: \"面积过大\", en: \"too large\" } } } else { true }"}
    ]);
    let b = bundle(rules, json!({}));
    let mut s = complete();
    s["values"]["id"] = json!("110105201801010019"); // born 2018
    s["values"]["area"] = json!(120);
    s["materials"]["plan"] = json!("provided");
    let d = b.evaluate(&submission(s), date("2026-03-02"));
    assert_eq!(outcomes(&d), [Outcome::Rejected, Outcome::Accepted]);
    assert_eq!(d.outcome, Outcome::Rejected);
    let reasons: Vec<&str> = d.items[0].reasons.iter().map(|r| r.message.en.as_str()).collect();
    assert_eq!(reasons, ["The applicant is under 18", "too large"]);
}

#[test]
fn bundle_rules_concern_every_item() {
    let b = bundle(
        json!([]),
        json!({"rules": [{"id": "not-taken", "title": {"zh": "名称未被占用", "en": "Name free"},
        "script": "applicant.attributes.name_taken != true"}]}),
    );
    let mut s = complete();
    s["applicant"] = json!({"attributes": {"name_taken": true}});
    let d = b.evaluate(&submission(s), date("2026-03-02"));
    assert_eq!(outcomes(&d), [Outcome::Rejected, Outcome::Rejected]);
}

#[test]
fn hostile_scripts_give_manual_review_and_the_engine_stays_usable() {
    let hostile = [
        ("loop {}", "operation limit"),
        ("fn f(x) { f(x + 1) } f(0)", "too deeply"),
        (r#"let s = "ab"; loop { s += s; }"#, "too large"),
        ("let a = []; a.pad(1000000, 0); true", "too large"),
        // Each push reads the growing array: the reads reach the operation limit first.
        ("let a = []; for i in 0..1000000 { a.push(i); } true", "operation limit"),
        ("let m = #{}; let c = m; for i in 0..100000 { c.x = #{}; c = c.x; } true", ""),
        ("undefined_function(1)", "undefined_function"),
        (r#"throw "需人工核实：经营范围含前置许可""#, "需人工核实"),
        ("42", "true, false or"),
    ];
    for (script, says) in hostile {
        let b = bundle(
            json!([{"id": "hostile", "title": {"zh": "敌", "en": "Hostile"}, "script": script}]),
            json!({}),
        );
        let d = b.evaluate(&submission(complete()), date("2026-03-02"));
        assert_eq!(outcomes(&d), [Outcome::ManualReview, Outcome::Accepted], "{script}");
        assert_eq!(d.outcome, Outcome::ManualReview);
        // The applicant reads what could not be decided, or what the rule threw; the
        // technical message is in the trace.
        let reason = &d.items[0].reasons[0].message;
        let entry = d.trace.iter().find(|t| t.rule == "hostile").unwrap();
        let error = entry.error.as_ref().unwrap();
        if error.thrown.is_some() {
            assert!(reason.zh.contains(says), "{script}: {reason:?}");
        } else {
            assert_eq!(reason.zh, "无法自动判断「敌」，需人工审核", "{script}");
            assert!(
                reason.en.starts_with("“Hostile” could not be decided automatically"),
                "{script}: {reason:?}"
            );
            assert!(!reason.en.contains("line "), "no technical detail for the applicant: {reason:?}");
            assert!(error.message.contains(says), "{script}: {error}");
        }
        // The same engine decides the next submission normally.
        let calm = bundle(json!([]), json!({}));
        assert_eq!(calm.evaluate(&submission(complete()), date("2026-03-02")).outcome, Outcome::Accepted);
    }
}

#[test]
fn no_rule_changes_what_the_rules_after_it_see() {
    let rule = |id: &str, script: &str| json!({"id": id, "title": {"zh": id, "en": id}, "script": script});
    let b = bundle(
        json!([
            rule("tamper-applicant", "applicant.dishonest = true; true"),
            rule("tamper-form", "form.area = 1000; true"),
            rule("tamper-materials", r#"materials["photo"] = "provided"; true"#),
            rule("look", r#"applicant.dishonest == false && form["area"] == 20 && !has_material("photo")"#),
        ]),
        json!({}),
    );
    let mut s = complete();
    s["materials"]["photo"] = json!("missing");
    let d = b.evaluate(&submission(s), date("2026-03-02"));
    let runs: Vec<(&str, &Value, bool)> =
        d.trace.iter().map(|t| (t.rule.as_str(), &t.result, t.error.is_some())).collect();
    assert_eq!(
        runs[..4],
        [
            ("tamper-applicant", &Value::Null, true),
            ("tamper-form", &Value::Null, true),
            ("tamper-materials", &Value::Null, true),
            ("look", &json!(true), false),
        ]
    );
    assert_eq!(outcomes(&d)[0], Outcome::ManualReview);
    let tamper = d.trace[0].error.as_ref().unwrap();
    assert!(tamper.message.contains("Cannot"), "{tamper:?}");
}

#[test]
fn deeply_nested_scripts_do_not_compile() {
    let deep = format!("{}1{}", "(".repeat(500), ")".repeat(500));
    let b = json!({
        "id": "t", "version": "1", "title": {"zh": "测", "en": "T"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
        "items": [{"id": "i", "department": "a", "title": {"zh": "项", "en": "I"}, "schema": {},
                   "eligibility": [{"id": "deep", "title": {"zh": "深", "en": "Deep"}, "script": deep}]}]
    });
    let e = CompiledBundle::compile(load::from_packed_value(b).unwrap()).unwrap_err();
    assert!(matches!(&e.problems[0], Problem::Script { rule, .. } if rule == "deep"), "{e}");
}

#[test]
fn rules_reading_unknown_fields_or_materials_do_not_compile() {
    let b = json!({
        "id": "t", "version": "1", "title": {"zh": "测", "en": "T"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
        "items": [{"id": "i", "department": "a", "title": {"zh": "项", "en": "I"},
                   "schema": {"properties": {"area": {"type": "number"}}},
                   "eligibility": [{"id": "typo", "title": {"zh": "错", "en": "Typo"},
                                    "script": "let a = form[\"area\"];\nform[\"aera\"] == a && has_material(\"lease\")"}]}]
    });
    let e = CompiledBundle::compile(load::from_packed_value(b).unwrap()).unwrap_err();
    let text: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "item `i`, eligibility: rule `typo` at line 2, column 6: reads `aera`, which is not a field of the merged form (did you mean `area`?)",
            "item `i`, eligibility: rule `typo` at line 2, column 35: asks for material `lease`, which no item of the bundle asks for",
        ]
    );
}

#[test]
fn derived_fields_fill_in_and_rules_see_them() {
    let b = bundle(
        json!([{"id": "adult", "title": {"zh": "成年", "en": "Adult"}, "script": "form[\"age\"] >= 18"}]),
        json!({"derive": [{"key": "age", "script": "let id = form[\"id\"]; if id == () { () } else { id_age(id, today) }"}]}),
    );
    let d = b.evaluate(&submission(complete()), date("2026-03-02"));
    assert_eq!(d.outcome, Outcome::Accepted);
    let derive = d.trace.iter().find(|t| t.rule == "age").unwrap();
    assert_eq!(derive.result, json!(76));
    let adult = d.trace.iter().find(|t| t.rule == "adult").unwrap();
    assert_eq!(adult.reads["age"], json!(76));
}

/// Derive rules run in the order their reads need, whatever order the file gives them: an
/// adult check over `adult`, derived from `age`, derived from the ID number, decides the
/// same with the rules written in any order.
#[test]
fn derive_rules_run_after_the_rules_they_read() {
    let age = json!({"key": "age", "script": "let id = form[\"id\"]; if id == () { () } else { id_age(id, today) }"});
    let adult = json!({"key": "adult", "script": "let a = form[\"age\"]; a != () && a >= 18"});
    let check =
        json!([{"id": "adult", "title": {"zh": "成年", "en": "Adult"}, "script": "form[\"adult\"] == true"}]);
    let mut outcomes_seen = Vec::new();
    for derive in [json!([age.clone(), adult.clone()]), json!([adult.clone(), age.clone()])] {
        let b = bundle(check.clone(), json!({ "derive": derive }));
        let d = b.evaluate(&submission(complete()), date("2026-03-02"));
        let order: Vec<&str> = d
            .trace
            .iter()
            .filter(|t| t.kind == onething::decision::RuleKind::Derive)
            .map(|t| t.rule.as_str())
            .collect();
        assert_eq!(order, ["age", "adult"]);
        outcomes_seen.push(d.outcome);
    }
    assert_eq!(outcomes_seen, [Outcome::Accepted, Outcome::Accepted]);
}

#[test]
fn derive_rules_reading_each_other_in_a_circle_do_not_compile() {
    let b = bundle_json(
        json!([]),
        json!({"derive": [
            {"key": "x", "script": "form[\"z\"]"},
            {"key": "y", "script": "form[\"x\"]"},
            {"key": "z", "script": "form[\"y\"]"},
            {"key": "free", "script": "1"}
        ]}),
    );
    let e = CompiledBundle::compile(load::from_packed_value(b).unwrap()).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("derive rules read each other in a circle"), "{text}");
    assert!(
        text.contains("x → y → z → x") || text.contains("y → z → x → y") || text.contains("z → x → y → z"),
        "{text}"
    );
}

#[test]
fn the_acceptance_policy_can_refuse_tolerance() {
    let policy = json!({"acceptance": {"policy": {"id": "few", "title": {"zh": "缺件不超过1件", "en": "At most one missing"},
        "message": {"zh": "缺件过多，不予容缺", "en": "too many materials missing for tolerance"},
        "script": "let n = 0; for s in materials.values() { if s == \"missing\" { n += 1 } } n <= 1"}}});
    let b = bundle(json!([]), policy);
    let mut s = complete();
    s["values"]["area"] = json!(60);
    s["materials"]["photo"] = json!("missing");
    s["materials"]["plan"] = json!("missing");
    s["commitments"] = json!(["tolerance"]);
    let d = b.evaluate(&submission(s.clone()), date("2026-03-02"));
    assert_eq!(d.outcome, Outcome::CorrectionRequired);
    assert_eq!(d.items[0].reasons[0].message.en, "too many materials missing for tolerance");
    s["materials"]["plan"] = json!("provided");
    assert_eq!(b.evaluate(&submission(s), date("2026-03-02")).outcome, Outcome::AcceptedWithTolerance);
}

#[test]
fn decisions_are_deterministic() {
    let b = plain();
    let s = submission(json!({"values": {"id": "bad"}, "materials": {"photo": "missing"}}));
    let a = serde_json::to_string(&b.evaluate(&s, date("2026-03-02"))).unwrap();
    let c = serde_json::to_string(&b.evaluate(&s, date("2026-03-02"))).unwrap();
    assert_eq!(a, c);
}

#[test]
fn a_thrown_reason_reads_in_both_languages() {
    let b = bundle(
        json!([{"id": "visit", "title": {"zh": "现场核查", "en": "Site visit"},
                "script": "throw #{ zh: \"需现场核查\", en: \"a site visit is needed\" }"}]),
        json!({}),
    );
    let d = b.evaluate(&submission(complete()), date("2026-03-02"));
    assert_eq!(d.items[0].outcome, Outcome::ManualReview);
    let m = &d.items[0].reasons[0].message;
    assert_eq!(
        (m.zh.as_str(), m.en.as_str()),
        ("需人工审核：需现场核查", "an official must decide: a site visit is needed")
    );
}

#[test]
fn a_submission_cannot_forge_a_key_only_rules_read() {
    let b = bundle(
        json!([{"id": "adult", "title": {"zh": "成年", "en": "Adult"}, "script": "form[\"age\"] >= 18"}]),
        json!({"derive": [{"key": "age", "script": "let id = form[\"id\"]; if id == () { () } else { id_age(id, today) }"}]}),
    );
    let mut s = complete();
    s["values"]["id"] = json!("110105201801010019"); // born 2018
    s["values"]["age"] = json!(40);
    let d = b.evaluate(&submission(s), date("2026-03-02"));
    assert_eq!(d.items[0].outcome, Outcome::Rejected);
    assert_eq!(d.trace.iter().find(|t| t.rule == "adult").unwrap().reads["age"], json!(8));
}

#[test]
fn a_rejected_prerequisite_rejects_the_items_depending_on_it() {
    let mut b = bundle_json(
        json!([{"id": "never", "title": {"zh": "不", "en": "Never"}, "script": "false"}]),
        json!({}),
    );
    b["items"][1]["depends_on"] = json!(["one"]);
    let d = compiled(b.clone()).evaluate(&submission(complete()), date("2026-03-02"));
    assert_eq!(outcomes(&d), [Outcome::Rejected, Outcome::Rejected]);
    assert_eq!(d.items[1].reasons[0].rule, Some(onething::decision::ReasonRule::DependsOn));
    assert!(d.items[1].reasons[0].message.en.contains("One is rejected"), "{:?}", d.items[1].reasons);
    // Evidence consumed from a rejected item counts as a dependency too, whatever the
    // order of the items in the bundle.
    b["items"][1]["depends_on"] = json!([]);
    b["items"][0]["produces"] = json!(["proof"]);
    b["items"][1]["consumes"] = json!(["proof"]);
    let items = b["items"].as_array_mut().unwrap();
    items.reverse();
    let d = compiled(b).evaluate(&submission(complete()), date("2026-03-02"));
    assert_eq!(d.items.iter().map(|i| i.item.as_str()).collect::<Vec<_>>(), ["two", "one"]);
    assert_eq!(outcomes(&d), [Outcome::Rejected, Outcome::Rejected]);
}

#[test]
fn one_field_breaking_two_constraints_is_one_deficiency_with_both_messages() {
    let mut b = bundle_json(json!([]), json!({}));
    b["items"][0]["schema"]["properties"]["sfzh"]["minLength"] = json!(18);
    let mut s = complete();
    s["values"]["id"] = json!("123");
    let d = compiled(b).evaluate(&submission(s), date("2026-03-02"));
    let fields: Vec<_> = d.deficiencies.iter().filter(|x| x.kind == DeficiencyKind::Field).collect();
    assert_eq!(fields.len(), 1, "{fields:#?}");
    assert_eq!(fields[0].id, "field:/id");
    assert!(fields[0].message.zh.contains('；'), "both messages: {:?}", fields[0].message);
}

#[test]
fn a_shared_material_is_tolerable_only_when_every_item_tolerates_it() {
    let mut b = bundle_json(json!([]), json!({}));
    b["items"][1]["materials"][1]["tolerable"] = json!(false);
    let mut s = complete();
    s["materials"]["photo"] = json!("missing");
    s["commitments"] = json!(["tolerance"]);
    let d = compiled(b.clone()).evaluate(&submission(s.clone()), date("2026-03-02"));
    assert_eq!(d.outcome, Outcome::CorrectionRequired);
    let photo = d.deficiencies.iter().find(|x| x.id == "material:photo").unwrap();
    assert!(!photo.tolerable, "{photo:#?}");
    // Item one alone would tolerate it; item two needs it now, so it is to be handed in now.
    assert_eq!(photo.items, ["two"]);
    assert_eq!(outcomes(&d), [Outcome::AcceptedWithTolerance, Outcome::CorrectionRequired]);
    assert!(!photo.fix.en.contains("later"), "the strict fix is shown: {:?}", photo.fix);
    assert!(d.supplements.is_empty(), "it is not also a supplement: {:?}", d.supplements);
    // With the lease missing too, item one lists the photo as tolerable (once the lease is
    // in); item two as needed now: one entry, strict, naming both items.
    s["materials"]["lease"] = json!("missing");
    let d = compiled(b).evaluate(&submission(s), date("2026-03-02"));
    let photo = d.deficiencies.iter().find(|x| x.id == "material:photo").unwrap();
    assert_eq!(photo.items, ["one", "two"]);
    assert!(!photo.tolerable && !photo.fix.en.contains("later"), "{photo:#?}");
}

/// A rule that cannot decide sends its item to an official, and the applicant is still
/// told at once everything to correct on the item's fields (一次性告知).
#[test]
fn a_failing_rule_keeps_the_items_field_deficiencies() {
    let b = bundle(
        json!([{"id": "broken", "title": {"zh": "坏", "en": "Broken"}, "script": "loop { }"}]),
        json!({}),
    );
    let mut s = complete();
    s["values"]["id"] = json!("110105194912310021");
    let d = b.evaluate(&submission(s), date("2026-03-02"));
    assert_eq!(d.items[0].outcome, Outcome::ManualReview);
    assert_eq!(d.items[0].deficiencies, ["field:/id"], "{:#?}", d.items[0]);
    assert!(d.deficiencies.iter().any(|x| x.id == "field:/id"));
}

/// A material or commitment the bundle does not know is an error with a suggestion, not a
/// status silently ignored (the applicant would then be told the material is missing).
#[test]
fn unknown_materials_and_mistyped_commitments_are_errors_with_a_suggestion() {
    let b = plain();
    let mut s = complete();
    s["materials"] = json!({"id-card": "provided", "leese": "provided", "photo": "shared"});
    s["commitments"] = json!(["tolerence", "my-own"]);
    let v = b.validate(&submission(s.clone()));
    assert!(!v.valid);
    let material = v.errors.iter().find(|e| e.keyword == "material").unwrap();
    assert_eq!(material.pointer, "/materials/leese");
    assert!(material.message.en.contains("did you mean `lease`?"), "{material:?}");
    assert!(material.message.zh.contains("是否应为「lease」"), "{material:?}");
    assert_eq!(material.items, ["one"]);
    let commitment = v.errors.iter().filter(|e| e.keyword == "commitment").collect::<Vec<_>>();
    assert_eq!(commitment.len(), 1, "only the near miss of `tolerance` is flagged: {commitment:?}");
    // The decision lists it beside the missing lease, at once.
    let d = b.evaluate(&submission(s), date("2026-03-02"));
    let ids: Vec<&str> = d.deficiencies.iter().map(|x| x.id.as_str()).collect();
    assert!(ids.contains(&"field:/materials/leese") && ids.contains(&"material:lease"), "{ids:?}");

    // Thousands of unknown materials: twenty named, the rest counted.
    let mut many = complete();
    for i in 0..5000 {
        many["materials"][format!("m{i}")] = json!("provided");
    }
    let v = b.validate(&submission(many));
    let materials: Vec<_> = v.errors.iter().filter(|e| e.keyword == "material").collect();
    assert_eq!(materials.len(), onething::validate::MAX_UNKNOWN_KEY_WARNINGS + 1);
    assert!(materials.iter().any(|e| e.message.en.starts_with("4980 more materials")), "{materials:?}");
}
