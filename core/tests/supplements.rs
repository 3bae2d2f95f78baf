//! Supplement deadlines (容缺补交期限) as policies state them: a period per material, in
//! working or calendar days, never beyond the item's time limit and never on a day off.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use onething::{CompiledBundle, Date, Outcome, Submission, load};
use serde_json::{Value, json};

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// One item with time limit `limit`, asking for a photo (the bundle's 5 working days) and a
/// floor plan (`plan` period), both tolerable.
fn compiled(limit: u32, plan: Value) -> CompiledBundle {
    let b = json!({
        "id": "t", "version": "1", "title": {"zh": "测", "en": "Test"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
        "items": [{
            "id": "one", "department": "a", "title": {"zh": "一", "en": "One"}, "time_limit_days": limit,
            "schema": {"type": "object", "properties": {"name": {"type": "string"}}},
            "materials": [
                {"id": "photo", "title": {"zh": "照片", "en": "Photo"}, "kind": "secondary", "tolerable": true},
                {"id": "plan", "title": {"zh": "平面图", "en": "Floor plan"}, "kind": "secondary", "tolerable": true,
                 "supplement": plan}
            ]
        }]
    });
    CompiledBundle::compile(load::from_packed_value(b).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

fn missing(materials: &[&str]) -> Submission {
    let m: serde_json::Map<String, Value> =
        materials.iter().map(|k| ((*k).to_owned(), json!("missing"))).collect();
    serde_json::from_value(json!({"values": {"name": "张三"}, "materials": m, "commitments": ["tolerance"]}))
        .unwrap()
}

fn supplement_by(d: &onething::Decision, material: &str) -> String {
    d.supplements.iter().find(|s| s.material == material).unwrap().by.clone()
}

#[test]
fn a_calendar_day_period_ending_on_a_holiday_moves_to_the_next_working_day() {
    let c = compiled(20, json!({"days": 7, "count": "calendar"}));
    // Thursday 24 September 2026 + 7 days = 1 October, National Day: the 8th is the first
    // working day after the holiday (1–7 October).
    let d = c.evaluate(&missing(&["plan"]), date("2026-09-24"));
    assert_eq!(d.outcome, Outcome::AcceptedWithTolerance);
    assert_eq!(supplement_by(&d, "plan"), "2026-10-08");
    // A Monday start ends on a Monday, a working day: it stays.
    let d = c.evaluate(&missing(&["plan"]), date("2026-11-02"));
    assert_eq!(supplement_by(&d, "plan"), "2026-11-09");
}

#[test]
fn each_material_has_its_own_deadline_and_the_item_the_earliest() {
    let c = compiled(20, json!({"days": 2, "count": "working"}));
    let d = c.evaluate(&missing(&["photo", "plan"]), date("2026-11-02"));
    // The photo: the bundle's default 5 working days; the plan: its own 2.
    assert_eq!(supplement_by(&d, "photo"), "2026-11-09");
    assert_eq!(supplement_by(&d, "plan"), "2026-11-04");
    assert_eq!(d.items[0].supplement_by.as_deref(), Some("2026-11-04"));
}

#[test]
fn the_item_time_limit_caps_every_period() {
    // 30 calendar days, but the item is done in 3 working days.
    let c = compiled(3, json!({"days": 30, "count": "calendar"}));
    let d = c.evaluate(&missing(&["plan"]), date("2026-11-02"));
    assert_eq!(supplement_by(&d, "plan"), "2026-11-05");
}

#[test]
fn an_item_done_on_the_spot_is_supplied_on_the_first_working_day() {
    // 即办 (time limit 0): the application day itself when it is a working day…
    let c = compiled(0, json!({"days": 7, "count": "calendar"}));
    let d = c.evaluate(&missing(&["photo", "plan"]), date("2026-10-09"));
    assert_eq!(supplement_by(&d, "photo"), "2026-10-09");
    assert_eq!(supplement_by(&d, "plan"), "2026-10-09");
    // …and the next working day when the application comes in on a holiday.
    let d = c.evaluate(&missing(&["photo", "plan"]), date("2026-10-03"));
    assert_eq!(supplement_by(&d, "photo"), "2026-10-08");
    assert_eq!(d.items[0].supplement_by.as_deref(), Some("2026-10-08"));
}

#[test]
fn the_notice_states_each_period() {
    let c = compiled(20, json!({"days": 7, "count": "calendar"}));
    let zh = c.notice().to_markdown(onething::Lang::Zh);
    assert!(zh.contains("可容缺（5个工作日内补交）") && zh.contains("可容缺（7日内补交）"), "{zh}");
    let en = c.notice().to_markdown(onething::Lang::En);
    assert!(en.contains("supply within 7 calendar days"), "{en}");
    // A working-day period is stated as the time limit shortens it.
    let short = compiled(2, json!({"days": 4}));
    assert!(short.notice().to_markdown(onething::Lang::Zh).contains("可容缺（2个工作日内补交）"));
}

#[test]
fn bad_periods_are_refused_where_they_are() {
    for (plan, says) in [
        (json!({"days": -1}), "days"),
        (json!({"days": 7, "count": "lunar"}), "lunar"),
        (json!({"days": 7, "unit": "calendar"}), "unit"),
        (json!(7), "supplement"),
    ] {
        let b = json!({
            "id": "t", "version": "1", "title": {"zh": "测", "en": "Test"}, "lead": "a",
            "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
            "items": [{"id": "one", "department": "a", "title": {"zh": "一", "en": "One"}, "schema": true,
                "materials": [{"id": "plan", "title": {"zh": "图", "en": "Plan"}, "supplement": plan}]}]
        });
        let e = load::from_packed_value(b).unwrap_err().to_string();
        assert!(e.contains(says) && e.contains("items[0].materials[0]"), "{e}");
    }
}

/// A tolerated material capped by a date (`supplement_until`): "before term starts"
/// (开学前补齐), the first day of term derived from the application's date — a field of the
/// form, or (`field` false) a key only rules read.
fn capped_by(field: bool) -> CompiledBundle {
    let mut properties = json!({"name": {"type": "string"}, "fail": {"type": "boolean"}});
    let mut fields = json!({});
    if field {
        properties["term_start"] = json!({"type": "string", "format": "date"});
        fields["term_start"] = json!({"title": {"zh": "开学日期", "en": "first day of term"}});
    }
    let b = json!({
        "id": "t", "version": "1", "title": {"zh": "测", "en": "Test"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
        "fields": fields,
        "derive": [{"key": "term_start", "script": "if form[\"fail\"] == true { throw \"no term\" } `${today.year}-09-01`"}],
        "items": [{
            "id": "one", "department": "a", "title": {"zh": "一", "en": "One"}, "time_limit_days": 20,
            "schema": {"type": "object", "properties": properties},
            "materials": [
                {"id": "proof", "title": {"zh": "证明", "en": "Proof"}, "kind": "secondary", "tolerable": true,
                 "supplement_until": "term_start"}
            ]
        }]
    });
    CompiledBundle::compile(load::from_packed_value(b).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

fn capped() -> CompiledBundle {
    capped_by(true)
}

#[test]
fn a_deadline_capped_by_a_date_of_the_form_never_passes_it() {
    let c = capped();
    // Thursday 27 August 2026: five working days end on 3 September; the cap, 1 September.
    let d = c.evaluate(&missing(&["proof"]), date("2026-08-27"));
    assert_eq!(d.outcome, Outcome::AcceptedWithTolerance);
    assert_eq!(supplement_by(&d, "proof"), "2026-09-01");
    // In July the period ends first.
    let d = c.evaluate(&missing(&["proof"]), date("2026-07-06"));
    assert_eq!(supplement_by(&d, "proof"), "2026-07-13");
    // On the day itself, the same day.
    let d = c.evaluate(&missing(&["proof"]), date("2026-09-01"));
    assert_eq!(supplement_by(&d, "proof"), "2026-09-01");
    // The notice says so, in both languages.
    let n = c.notice();
    assert_eq!(n.materials[0].supplement_until.as_ref().map(|t| t.zh.as_str()), Some("开学日期"));
    assert!(n.to_markdown(onething::Lang::Zh).contains("（5个工作日内补交，且不晚于开学日期）"));
    assert!(
        n.to_markdown(onething::Lang::En)
            .contains("(supply within 5 working days, and not after: first day of term)")
    );
}

#[test]
fn a_cap_already_passed_leaves_the_material_owed_now_an_unknown_one_waits_for_an_official() {
    let c = capped();
    // 2 September: this year's first day of term has passed.
    let d = c.evaluate(&missing(&["proof"]), date("2026-09-02"));
    assert_eq!(d.outcome, Outcome::CorrectionRequired);
    assert!(d.supplements.is_empty());
    assert_eq!(d.deficiencies.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(), ["material:proof"]);
    let why = &d.items[0].reasons.last().unwrap().message;
    assert!(why.zh.contains("须于2026-09-01前补齐") && why.en.contains("which has passed"), "{why:?}");
    // The cap's rule fails: fail closed, nothing tolerated. A field of the form is then
    // for an official to fill; with a key only rules read, the item waits for an official,
    // the derive rule named (with its own message, when it throws one).
    let mut s = missing(&["proof"]);
    s.values["fail"] = json!(true);
    let d = c.evaluate(&s, date("2026-08-27"));
    assert!(d.supplements.is_empty(), "{:?}", d.supplements);
    assert_ne!(d.outcome, Outcome::AcceptedWithTolerance);
    let d = capped_by(false).evaluate(&s, date("2026-08-27"));
    assert!(d.supplements.is_empty(), "{:?}", d.supplements);
    assert_eq!(d.items[0].outcome, Outcome::ManualReview, "{:?}", d.items[0]);
    let why = &d.items[0].reasons[0];
    assert_eq!(why.rule, Some(onething::decision::ReasonRule::Rule("term_start".into())));
    assert!(why.message.zh.contains("no term"), "{why:?}");
    // Without the failure, the rule-only cap works as the field does.
    let d = capped_by(false).evaluate(&missing(&["proof"]), date("2026-08-27"));
    assert_eq!(supplement_by(&d, "proof"), "2026-09-01");
}

#[test]
fn a_cap_naming_no_field_is_a_problem_with_a_suggestion() {
    let mut b = serde_json::to_value(capped().bundle()).unwrap();
    b["items"][0]["materials"][0]["supplement_until"] = json!("term_strat");
    let e = CompiledBundle::compile(load::from_packed_value(b).unwrap()).err().unwrap().to_string();
    assert!(
        e.contains("material `proof`, supplement_until") && e.contains("did you mean `term_start`?"),
        "{e}"
    );
}
