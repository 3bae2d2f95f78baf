//! The one-time notice (一次告知): every fixture's notice is snapshot-tested in both
//! languages and all three formats (outputs checked by hand once); the merged materials
//! list, the time limits, the notice of one applicant's situation and HTML escaping are
//! checked directly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{compile, fixture, fixtures, settings};

use std::path::Path;

use onething::notice::Extent;
use onething::{Bundle, CompiledBundle, Date, Lang, MaterialStatus, Outcome, Submission};
use serde_json::json;

fn name(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().to_string()
}

fn decision_submission(fixture_name: &str, file: &str) -> Submission {
    let path = fixture(fixture_name).join("decisions").join(file);
    Submission::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// Checks a notice's JSON against the generated schema `schemas/notice.schema.json`.
fn assert_matches_schema(value: &serde_json::Value) {
    let schema = onething::schemas::all().into_iter().find(|(n, _)| *n == "notice").unwrap().1;
    let validator = onething::schema::compile(&schema).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn every_fixture_notice_in_both_languages_and_every_format() {
    for dir in fixtures() {
        let compiled = compile(&dir);
        let notice = compiled.notice();
        let name = name(&dir);
        let json = serde_json::to_value(&notice).unwrap();
        assert_matches_schema(&json);
        // JSON round-trips.
        let back: onething::Notice = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, notice);
        settings().bind(|| {
            insta::assert_json_snapshot!(format!("{name}__notice"), json);
            for lang in [Lang::Zh, Lang::En] {
                let l = match lang {
                    Lang::Zh => "zh",
                    Lang::En => "en",
                };
                insta::assert_snapshot!(format!("{name}__notice__{l}.md"), notice.to_markdown(lang));
                insta::assert_snapshot!(format!("{name}__notice__{l}.html"), notice.to_html(lang));
            }
        });
    }
}

#[test]
fn one_merged_materials_list_deduplicated_by_reuse_key() {
    let notice = compile(&fixture("restaurant-opening")).notice();
    let keys: Vec<&str> = notice.materials.iter().map(|m| m.key.as_str()).collect();
    let mut unique = keys.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(keys.len(), unique.len(), "{keys:?}");
    // Every material of every item is in the list, under its reuse key.
    let bundle = compile(&fixture("restaurant-opening")).bundle().clone();
    for item in &bundle.items {
        for m in &item.materials {
            let entry = notice.materials.iter().find(|x| x.key == m.reuse_key()).unwrap();
            assert!(entry.uses.iter().any(|u| u.item == item.id && u.material == m.id), "{}", m.id);
        }
    }
    let licence = notice.materials.iter().find(|m| m.key == "business-licence").unwrap();
    assert_eq!(licence.uses.len(), 5);
    assert_eq!(licence.sources[0].id, "e-licence:business-licence");
    assert!(licence.always);
    // The premises proof: needed by four items.
    let premises = notice.materials.iter().find(|m| m.key == "premises-use-proof").unwrap();
    let items: Vec<&str> = premises.uses.iter().map(|u| u.item.as_str()).collect();
    assert_eq!(
        items,
        ["food-business-licence", "outdoor-signboard", "fire-safety-inspection", "tobacco-retail-licence"]
    );
}

#[test]
fn a_material_treated_differently_by_its_items_says_so() {
    let notice = compile(&fixture("business-startup")).notice();
    // The legal representative's ID card is primary for most items, secondary for two.
    let id = notice.materials.iter().find(|m| m.key == "legal-rep-id-card").unwrap();
    assert_eq!(id.kind, onething::bundle::MaterialKind::Primary);
    assert_eq!(id.tolerable, Extent::Never);
    // The premises lease: primary for registration (commitment allowed), tolerable for tax.
    let lease = notice.materials.iter().find(|m| m.key == "premises-lease").unwrap();
    assert_eq!(lease.tolerable, Extent::Partly);
    assert_eq!(lease.commitment, Extent::All);
    let md = notice.to_markdown(Lang::Zh);
    assert!(md.contains("可容缺（仅"), "{md}");
    // A conditional material says when.
    let letter = notice.materials.iter().find(|m| m.key == "engraving-letter").unwrap();
    assert!(!letter.always);
    assert_eq!(letter.conditions.len(), 1);
}

#[test]
fn committed_time_limit_against_the_sum_of_the_items() {
    let newborn = compile(&fixture("newborn")).notice();
    assert_eq!(newborn.time_limit.committed_days, Some(16));
    assert_eq!(newborn.time_limit.critical_path_days, Some(16));
    assert_eq!(newborn.time_limit.sum_of_items_days, Some(17));
    let restaurant = compile(&fixture("restaurant-opening")).notice();
    assert_eq!(restaurant.time_limit.committed_days, Some(11));
    assert_eq!(restaurant.time_limit.sum_of_items_days, Some(31));
    let md = restaurant.to_markdown(Lang::Zh);
    assert!(md.contains("较逐项办理减少20个工作日"), "{md}");
    let en = restaurant.to_markdown(Lang::En);
    assert!(en.contains("20 working days fewer than handling the items one after another"), "{en}");
    // Business start-up commits to one working day, less than its critical path of three.
    let business = compile(&fixture("business-startup")).notice();
    assert_eq!(business.time_limit.committed_days, Some(1));
    assert_eq!(business.time_limit.critical_path_days, Some(3));
    assert!(business.notes.iter().any(|n| n.en.contains("shorter than the critical path")));
}

#[test]
fn process_is_acceptance_then_stages_then_delivery() {
    let notice = compile(&fixture("restaurant-opening")).notice();
    let kinds: Vec<_> = notice.process.iter().map(|s| s.kind).collect();
    use onething::notice::StepKind::*;
    assert_eq!(kinds, [Accept, Stage, Stage, Deliver]);
    assert_eq!(notice.process[2].items.len(), 4);
    assert_eq!(notice.process[2].days, Some(10));
    assert_eq!(notice.lead.id, "market-regulation");
    assert_eq!(notice.cooperating.len(), 3);
}

fn tiny(title: &str, extra: serde_json::Value) -> Bundle {
    let mut b = json!({
        "id": "tiny", "version": "1", "title": {"zh": title, "en": title}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲局", "en": "Bureau A"}, "phone": "12345"}],
        "items": [{"id": "one", "department": "a", "title": {"zh": "一", "en": "One"},
                   "schema": {"type": "object"}, "time_limit_days": 3}]
    });
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    serde_json::from_value(b).unwrap()
}

#[test]
fn html_and_markdown_escape_every_bundle_supplied_string() {
    let evil = "<script>alert('x')</script>";
    let bundle: Bundle = serde_json::from_value(json!({
        "id": "evil\"id", "version": "1<b>", "lead": "a",
        "title": {"zh": evil, "en": evil},
        "description": {"zh": evil, "en": evil},
        "departments": [{"id": "a", "name": {"zh": evil, "en": evil}, "phone": evil},
                        {"id": "b", "name": {"zh": "<img src=x onerror=alert(1)>", "en": "<img src=x onerror=alert(1)>"}}],
        "rules": [{"id": "r", "title": {"zh": evil, "en": evil}, "script": "true"}],
        "items": [
          {"id": "one", "department": "a", "title": {"zh": evil, "en": evil},
           "schema": {"type": "object"}, "time_limit_days": 3,
           "legal_basis": [{"zh": evil, "en": evil}],
           "fees": [{"title": {"zh": evil, "en": evil}, "amount_yuan": 5}],
           "eligibility": [{"id": "e", "title": {"zh": evil, "en": evil}, "script": "true"}],
           "materials": [{"id": "m", "title": {"zh": evil, "en": evil}, "kind": "secondary",
                          "tolerable": true, "sources": [evil],
                          "required_if": {"title": {"zh": evil, "en": evil}, "script": "true"}}]},
          {"id": "two", "department": "b", "title": {"zh": "</td></tr></table><script>x</script>", "en": "a | b\n# h"},
           "schema": {"type": "object"}, "depends_on": ["one"], "optional": true,
           "materials": [{"id": "m", "title": {"zh": "m2", "en": "m2"}}]}
        ],
        "notice": {"applicants": {"zh": evil, "en": evil}, "channels": [{"zh": evil, "en": evil}],
                   "enquiry": {"zh": evil, "en": evil}},
        "sources": [{"id": evil, "title": {"zh": evil, "en": evil}, "kind": "other"}]
    }))
    .unwrap();
    let compiled = CompiledBundle::compile(bundle).unwrap_or_else(|e| panic!("{e}"));
    let notice = compiled.notice();
    for lang in [Lang::Zh, Lang::En] {
        let html = notice.to_html(lang);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("</td></tr></table><"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "{html}");
        // Self-contained: no external resource, no script.
        assert!(!html.contains("<link"), "{html}");
        assert!(!html.contains("http://") && !html.contains("https://"), "{html}");
        assert!(html.contains("Content-Security-Policy"));
        let md = notice.to_markdown(lang);
        assert!(!md.contains("<script"), "{md}");
        assert!(!md.contains("<img"), "{md}");
        assert!(md.contains("&lt;script&gt;"), "{md}");
        // Every table row keeps its number of cells: a `|` in a string is escaped.
        for line in md.lines().filter(|l| l.starts_with('|')) {
            assert!(!line.contains("a | b"), "{line}");
        }
        assert!(!md.contains("\n# h"), "{md}");
    }
}

#[test]
fn a_missing_time_limit_is_reported_not_guessed() {
    let mut bundle = tiny("小事", json!({}));
    let mut second = bundle.items[0].clone();
    second.id = "two".into();
    second.title = onething::Text::new("二", "Two");
    second.time_limit_days = None;
    second.depends_on = vec!["one".into()];
    bundle.items.push(second);
    let notice = CompiledBundle::compile(bundle).unwrap().notice();
    assert_eq!(notice.time_limit.critical_path_days, None);
    assert_eq!(notice.time_limit.sum_of_items_days, None);
    assert_eq!(notice.time_limit.at_least_days, 3);
    assert_eq!(notice.time_limit.missing, ["two"]);
    let zh = notice.to_markdown(Lang::Zh);
    assert!(zh.contains("未设定时限"), "{zh}");
    assert!(zh.contains("无法确定，至少3个工作日"), "{zh}");
    let en = notice.to_markdown(Lang::En);
    assert!(en.contains("unknown, at least 3 working days"), "{en}");
    assert!(en.contains("Items without a time limit"), "{en}");
}

#[test]
fn a_bundle_without_notice_text_fees_or_materials_still_has_a_complete_notice() {
    let notice = CompiledBundle::compile(tiny("小事", json!({}))).unwrap().notice();
    let zh = notice.to_markdown(Lang::Zh);
    for expected in
        ["不收费。", "无需提交材料。", "未列明。", "甲局受理窗口。", "承诺办结时限", "未设定整体承诺时限"]
    {
        assert!(zh.contains(expected), "{expected}: {zh}");
    }
    let en = notice.to_html(Lang::En);
    assert!(en.contains("Free of charge."), "{en}");
}

#[test]
fn notice_for_one_applicant_lists_only_applicable_items_and_materials_still_owed() {
    let compiled = compile(&fixture("newborn"));
    let s = decision_submission("newborn", "accepted_with_tolerance--rented-flat-proofs-supplied-later.json");
    let notice = compiled.notice_for(&s, date("2026-04-02"));
    let situation = notice.situation.as_ref().unwrap();
    assert_eq!(situation.outcome, Outcome::AcceptedWithTolerance);
    // Materials provided or shared are settled, not owed.
    for m in &notice.materials {
        assert!(
            !matches!(s.materials.get(&m.key), Some(MaterialStatus::Provided | MaterialStatus::Shared)),
            "{} is settled",
            m.key
        );
    }
    for m in &situation.settled {
        assert!(notice.materials.iter().all(|x| x.key != m.key));
    }
    // What is owed is exactly what the decision tolerated, each with its deadline.
    let decision = compiled.evaluate(&s, date("2026-04-02"));
    let owed: Vec<(&str, Option<&str>)> =
        notice.materials.iter().map(|m| (m.key.as_str(), m.supply_by.as_deref())).collect();
    let tolerated: Vec<(&str, Option<&str>)> =
        decision.supplements.iter().map(|x| (x.material.as_str(), Some(x.by.as_str()))).collect();
    assert_eq!(owed, tolerated);
    assert!(!owed.is_empty());
    settings().bind(|| {
        insta::assert_json_snapshot!("newborn__notice_for__tolerance", notice);
        insta::assert_snapshot!("newborn__notice_for__tolerance__zh.md", notice.to_markdown(Lang::Zh));
        insta::assert_snapshot!("newborn__notice_for__tolerance__en.md", notice.to_markdown(Lang::En));
    });
}

#[test]
fn notice_for_an_incomplete_application_owes_every_deficiency() {
    let compiled = compile(&fixture("newborn"));
    let s = decision_submission("newborn", "correction_required--several-deficiencies-shared-id-cards.json");
    let d = date("2026-04-02");
    let notice = compiled.notice_for(&s, d);
    let decision = compiled.evaluate(&s, d);
    assert_eq!(notice.situation.as_ref().unwrap().outcome, decision.outcome);
    // Every material deficiency of the decision is owed in the notice.
    for def in decision.deficiencies.iter().filter_map(|x| x.material.as_deref()) {
        assert!(notice.materials.iter().any(|m| m.key == def), "{def} is owed");
    }
    assert_matches_schema(&serde_json::to_value(&notice).unwrap());
}

#[test]
fn notice_for_leaves_out_items_that_do_not_apply() {
    let compiled = compile(&fixture("business-startup"));
    let s = decision_submission(
        "business-startup",
        "accepted_with_tolerance--bank-account-tax-agreement-staff-list-later.json",
    );
    let notice = compiled.notice_for(&s, date("2026-04-30"));
    let decision = compiled.evaluate(&s, date("2026-04-30"));
    let applicable: Vec<&str> = decision
        .items
        .iter()
        .filter(|i| i.outcome != Outcome::NotApplicable)
        .map(|i| i.item.as_str())
        .collect();
    let listed: Vec<&str> = notice.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(listed, applicable);
    // The plan's time limits are those of the applicable items only.
    let plan = compiled.plan_for(&applicable).unwrap();
    assert_eq!(notice.time_limit, plan.time_limit);
    // The materials of the items that do not apply are not owed.
    for m in &notice.materials {
        assert!(m.uses.iter().all(|u| applicable.contains(&u.item.as_str())), "{}", m.key);
    }
    settings().bind(|| {
        insta::assert_snapshot!("business-startup__notice_for__tolerance__zh.html", notice.to_html(Lang::Zh));
    });
}

#[test]
fn notice_for_with_nothing_applicable_or_owed() {
    let compiled = CompiledBundle::compile(tiny("小事", json!({}))).unwrap();
    let notice = compiled.notice_for(&Submission::default(), date("2026-03-02"));
    assert!(notice.materials.is_empty());
    let zh = notice.to_markdown(Lang::Zh);
    assert!(zh.contains("所需材料均已齐备"), "{zh}");
    assert!(zh.contains("您的办理情况"), "{zh}");
}

/// A pension and a housing-fund withdrawal that can only happen from the retirement date,
/// which is derived from the birth date (60th birthday) or typed.
fn retirement(starts_on: &str) -> serde_json::Value {
    json!({
        "id": "retire", "version": "1", "title": {"zh": "退休", "en": "Retirement"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "人社局", "en": "HRSS"}}, {"id": "b", "name": {"zh": "公积金中心", "en": "Fund"}}],
        "fields": {"retirement.date": {"title": {"zh": "退休日期", "en": "Retirement date"}}},
        "items": [
            {"id": "pension", "department": "a", "title": {"zh": "退休审批", "en": "Pension"}, "time_limit_days": 5,
             "schema": {"type": "object", "properties": {"csrq": {"type": "string", "format": "date"},
                                                         "txrq": {"type": "string", "format": "date"}}},
             "field_map": {"/csrq": "birth", "/txrq": "retirement.date"}},
            {"id": "withdrawal", "department": "b", "title": {"zh": "公积金提取", "en": "Fund withdrawal"}, "time_limit_days": 3,
             "schema": {"type": "object"}, "depends_on": ["pension"], "starts_on": starts_on}
        ],
        "derive": [{"key": "retirement.date",
                    "script": "let b = form[\"birth\"]; if b == () { () } else { add_years(b, 60).to_string() }"}]
    })
}

#[test]
fn an_item_waiting_for_a_date_of_the_form_says_so_in_the_plan_and_the_notice() {
    let c = CompiledBundle::compile(serde_json::from_value(retirement("retirement.date")).unwrap()).unwrap();
    let plan = c.plan();
    let w = plan.items.iter().find(|i| i.id == "withdrawal").unwrap();
    assert_eq!(w.starts_on.as_ref().unwrap().key, "retirement.date");
    assert!(
        plan.notes.iter().any(|n| n.zh.contains("「公积金提取」自申请人填写的「退休日期」之日起办理")),
        "{:?}",
        plan.notes
    );
    assert!(plan.to_mermaid(Lang::Zh).contains("自「退休日期」之日起办理"));
    let n = c.notice();
    assert_eq!(n.items[1].starts_on.as_ref().unwrap().title.en, "Retirement date");
    assert!(n.to_html(Lang::En).contains("handled from the Retirement date"));
    // Derived from the birth date: the 60th birthday.
    let s: Submission = serde_json::from_value(json!({"values": {"birth": "1966-07-15"}})).unwrap();
    let n = c.notice_for(&s, date("2026-06-01"));
    let situation = n.situation.unwrap();
    let item = |id: &str| situation.items.iter().find(|i| i.item == id).unwrap();
    assert_eq!(item("withdrawal").starts_on.as_deref(), Some("2026-07-15"));
    assert_eq!(item("pension").starts_on, None);
    // Typed, it is the applicant's date; not a date, nothing is claimed.
    let s: Submission =
        serde_json::from_value(json!({"values": {"birth": "1966-07-15", "retirement.date": "2026-08-01"}}))
            .unwrap();
    let n = c.notice_for(&s, date("2026-06-01"));
    assert!(n.to_html(Lang::Zh).contains("自2026-08-01起办理"));
    let s: Submission = serde_json::from_value(json!({"values": {"retirement.date": "soon"}})).unwrap();
    let situation = c.notice_for(&s, date("2026-06-01")).situation.unwrap();
    assert!(situation.items.iter().all(|i| i.starts_on.is_none()));
}

#[test]
fn starts_on_naming_no_field_is_a_problem_with_a_suggestion() {
    let e =
        CompiledBundle::compile(serde_json::from_value(retirement("retirment.date")).unwrap()).unwrap_err();
    let p = &e.problems[0];
    assert_eq!(p.bundle_pointer(), Some("/items/1/starts_on"));
    assert!(p.to_string().contains("retirment.date") && p.to_string().contains("retirement.date"), "{p}");
}

/// A material of each element (`for_each`): the notice of the bundle says who hands one in;
/// the notice of one application lists the elements' materials still owed, each naming every
/// item needing it once; evidence shared between items is named by its title, not its id.
#[test]
fn materials_of_each_element_and_shared_evidence_read_as_people_read_them() {
    let compiled = compile(&fixture("housing-transfer"));
    let whole = compiled.notice();
    let buyer = whole.materials.iter().find(|m| m.key == "buyer-id-card").unwrap();
    let each = buyer.each.as_ref().expect("the buyers' ID cards are one per buyer");
    assert!(each.zh.ends_with("各一份") && each.en.starts_with("one for each of: "), "{each:?}");
    assert!(whole.to_markdown(Lang::Zh).contains(&format!("（{}）", each.zh)));
    assert!(whole.materials.iter().filter(|m| m.key.starts_with("new-holder")).all(|m| m.each.is_none()));
    // Evidence: the bundle's title for it; a source id is never shown for a titled source.
    let tax = whole.materials.iter().flat_map(|m| &m.sources).find(|s| s.id == "evidence:tax-payment-record");
    assert_eq!(tax.unwrap().title.as_ref(), compiled.bundle().evidence.get("tax-payment-record"));
    for lang in [Lang::Zh, Lang::En] {
        assert!(!whole.to_markdown(lang).contains("evidence:"), "{lang:?}");
    }

    let file = "correction_required--second-buyers-id-card-missing-named-in-the-list.json";
    let text = std::fs::read_to_string(fixture("housing-transfer").join("decisions").join(file)).unwrap();
    let s = onething::case::Case::from_json_named(&text, file).unwrap().submission;
    let notice = compiled.notice_for(&s, date("2026-11-05"));
    let owed = notice.materials.iter().find(|m| m.key == "buyer-id-card[1]").unwrap();
    assert!(owed.each.is_none());
    let items: Vec<&str> = owed.uses.iter().map(|u| u.item.as_str()).collect();
    assert_eq!(items, ["transaction-tax", "real-estate-registration"]);
    assert_matches_schema(&serde_json::to_value(&notice).unwrap());
}

/// A bundle whose registration fee depends on how many certificates are asked for.
fn registration_fee(amount_from: &str, script: &str) -> serde_json::Value {
    json!({
        "id": "fee", "version": "1", "title": {"zh": "登记", "en": "Registration"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "登记中心", "en": "Registry"}}],
        "fields": {"certificates": {"title": {"zh": "证书本数", "en": "Certificates"}}},
        "items": [{"id": "registration", "department": "a", "title": {"zh": "转移登记", "en": "Transfer"},
                   "time_limit_days": 5,
                   "schema": {"type": "object", "properties": {"fzsl": {"type": "integer", "minimum": 1}}},
                   "field_map": {"/fzsl": "certificates"},
                   "fees": [{"title": {"zh": "登记费", "en": "Registration fee"}, "amount_yuan": 80,
                             "amount_from": amount_from},
                            {"title": {"zh": "查档费", "en": "Search fee"}, "amount_yuan": 5}]}],
        "derive": [{"key": "fee.yuan", "script": script}]
    })
}

const CERTIFICATE_FEE: &str =
    "let n = form[\"certificates\"]; if type_of(n) == \"i64\" && n > 1 { 80 + 10 * (n - 1) } else { 80 }";

/// A fee that depends on the application (`amount_from`): the general notice states the
/// standard amount and says so; the notice of an application charges the computed one.
#[test]
fn a_fee_depending_on_the_application_is_charged_in_its_notice() {
    let c = CompiledBundle::compile(
        serde_json::from_value(registration_fee("fee.yuan", CERTIFICATE_FEE)).unwrap(),
    )
    .unwrap();
    let n = c.notice();
    assert!(n.fees.items[0].depends && !n.fees.items[1].depends, "{:?}", n.fees);
    assert_eq!(n.fees.total_yuan, 85.0);
    assert!(n.to_markdown(Lang::Zh).contains("80.00元（标准，按申请核定）"), "{}", n.to_markdown(Lang::Zh));
    assert!(n.to_html(Lang::En).contains("CNY 85.00 (standard; set by the application)"));
    let s: Submission = serde_json::from_value(json!({"values": {"certificates": 3}})).unwrap();
    let n = c.notice_for(&s, date("2026-12-07"));
    assert!(!n.fees.items[0].depends);
    assert_eq!((n.fees.items[0].amount_yuan, n.fees.total_yuan), (100.0, 105.0));
    let md = n.to_markdown(Lang::Zh);
    assert!(md.contains("100.00元") && !md.contains("按申请核定"), "{md}");
    assert_matches_schema(&serde_json::to_value(&n).unwrap());
    // Blank: the rule's own default.
    let n = c.notice_for(&Submission::default(), date("2026-12-07"));
    assert_eq!((n.fees.items[0].amount_yuan, n.fees.items[0].depends), (80.0, false));
    // The housing transfer: two buyers with a certificate each pay 80 + 10 yuan.
    let c = compile(&fixture("housing-transfer"));
    let name = "decisions/accepted--spouses-sell-only-home-of-eight-years-all-utilities.json";
    let text = std::fs::read_to_string(fixture("housing-transfer").join(name)).unwrap();
    let s = onething::case::Case::from_json_named(&text, name).unwrap().submission;
    let fee = c
        .notice_for(&s, date("2026-10-09"))
        .fees
        .items
        .into_iter()
        .find(|f| f.item == "real-estate-registration");
    assert_eq!(fee.map(|f| (f.amount_yuan, f.depends)), Some((90.0, false)));
}

/// A rule that cannot tell (it fails, or gives no number): the standard amount, still said to
/// depend on the application — never a silent 0.
#[test]
fn a_fee_whose_rule_cannot_tell_keeps_its_standard_amount_said_to_depend() {
    for script in ["throw \"no register\"", "()", "\"eighty\"", "-5"] {
        let c =
            CompiledBundle::compile(serde_json::from_value(registration_fee("fee.yuan", script)).unwrap())
                .unwrap();
        let s: Submission = serde_json::from_value(json!({"values": {"certificates": 2}})).unwrap();
        let n = c.notice_for(&s, date("2026-12-07"));
        assert_eq!((n.fees.items[0].amount_yuan, n.fees.items[0].depends), (80.0, true), "{script}");
        assert_eq!(n.fees.total_yuan, 85.0, "{script}");
    }
}

#[test]
fn amount_from_naming_no_field_is_a_problem_with_a_suggestion() {
    let e = CompiledBundle::compile(
        serde_json::from_value(registration_fee("fee.yaun", CERTIFICATE_FEE)).unwrap(),
    )
    .unwrap_err();
    let p = &e.problems[0];
    assert_eq!(p.bundle_pointer(), Some("/items/0/fees/0/amount_from"));
    assert!(p.to_string().contains("unknown field `fee.yaun`; did you mean `fee.yuan`?"), "{p}");
}
