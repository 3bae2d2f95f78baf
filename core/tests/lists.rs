//! Lists mapped column by column (`/gd/*/gdmc` → `shareholders[].name`): one canonical list
//! merged exactly from every department mapping it, errors naming the element, each
//! department served its own array, and every malformed mapping a problem at its entry.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use onething::{CompiledBundle, Date, Outcome, Problem, Submission, load};
use serde_json::{Value, json};

/// The market regulator lists shareholders (`gd`: name, ID number, gender coded 1/2, birth
/// date as YYYYMMDD, its own share column); the tax bureau lists investors (`tzf`: name, ID
/// number), at most 20, with shorter names.
fn bundle() -> Value {
    json!({
        "id": "lists", "version": "1", "title": {"zh": "列表", "en": "Lists"}, "lead": "market",
        "departments": [
            {"id": "market", "name": {"zh": "市场监管局", "en": "Market regulator"}},
            {"id": "tax", "name": {"zh": "税务局", "en": "Tax bureau"}}
        ],
        "fields": {
            "company.name": {"title": {"zh": "企业名称", "en": "Company name"}},
            "shareholders": {"title": {"zh": "股东", "en": "Shareholders"},
                             "element": {"zh": "第{n}位股东", "en": "shareholder {n}"}},
            "shareholders[].name": {"title": {"zh": "姓名", "en": "Name"}},
            "shareholders[].id_number": {"title": {"zh": "证件号码", "en": "ID number"}},
            "shareholders[].gender": {"title": {"zh": "性别", "en": "Gender"}},
            "shareholders[].birth_date": {"title": {"zh": "出生日期", "en": "Date of birth"}}
        },
        "items": [
            {"id": "reg", "title": {"zh": "设立登记", "en": "Registration"}, "department": "market",
             "schema": {"type": "object", "required": ["qymc", "gd"], "properties": {
                "qymc": {"type": "string", "maxLength": 50},
                "gd": {"type": "array", "minItems": 1, "maxItems": 50, "uniqueItems": true,
                       "items": {"type": "object", "required": ["gdmc", "zjhm"], "properties": {
                          "gdmc": {"type": "string", "maxLength": 30},
                          "zjhm": {"type": "string", "pattern": "^[0-9]{17}[0-9X]$"},
                          "xb": {"type": "string", "enum": ["1", "2"]},
                          "csrq": {"type": "string", "pattern": "^[0-9]{8}$"},
                          "czbl": {"type": "number", "minimum": 0, "maximum": 100, "title": "出资比例"}}}}}},
             "field_map": {
                "/qymc": "company.name",
                "/gd/*/gdmc": "shareholders[].name",
                "/gd/*/zjhm": "shareholders[].id_number",
                "/gd/*/xb": {"key": "shareholders[].gender", "transform": {"value_map": [
                    {"canonical": "男", "department": "1"}, {"canonical": "女", "department": "2"}]}},
                "/gd/*/csrq": {"key": "shareholders[].birth_date", "transform": {"date": {"layout": "YYYYMMDD"}}}}},
            {"id": "tax", "title": {"zh": "税务登记", "en": "Tax"}, "department": "tax",
             "schema": {"type": "object", "required": ["nsrmc"], "properties": {
                "nsrmc": {"type": "string"},
                "tzf": {"type": "array", "maxItems": 20, "items": {"type": "object", "required": ["tzfmc"],
                        "properties": {"tzfmc": {"type": "string", "maxLength": 20},
                                       "zjhm": {"type": "string", "maxLength": 18}}}}}},
             "field_map": {"/nsrmc": "company.name", "/tzf/*/tzfmc": "shareholders[].name",
                           "/tzf/*/zjhm": "shareholders[].id_number"}}
        ]
    })
}

fn compiled(b: Value) -> CompiledBundle {
    CompiledBundle::compile(load::from_packed_value(b).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

fn problems(b: Value) -> Vec<Problem> {
    match CompiledBundle::compile(load::from_packed_value(b).unwrap()) {
        Ok(_) => panic!("the bundle compiled"),
        Err(e) => e.problems,
    }
}

fn messages(b: Value) -> Vec<String> {
    problems(b).iter().map(ToString::to_string).collect()
}

fn submission(shareholders: Value) -> Submission {
    serde_json::from_value(
        json!({"bundle": "lists", "values": {"company.name": "某公司", "shareholders": shareholders}}),
    )
    .unwrap()
}

fn li() -> Value {
    json!({"name": "李志强", "id_number": "23100419860412123X", "gender": "男", "birth_date": "1986-04-12", "czbl": 60})
}

fn zhou() -> Value {
    json!({"name": "周海波", "id_number": "230103198407082516", "gender": "男", "birth_date": "1984-07-08"})
}

#[test]
fn the_merged_list_conjoins_every_departments_columns_and_bounds() {
    let c = compiled(bundle());
    let field = &c.form()["properties"]["shareholders"];
    assert_eq!(field["type"], "array");
    assert_eq!(field["minItems"], 1, "the market regulator's");
    assert_eq!(field["maxItems"], 20, "the tax bureau's, the tighter");
    let items = &field["items"];
    assert_eq!(items["required"], json!(["name", "id_number"]));
    let name = &items["properties"]["name"];
    assert_eq!(name["maxLength"], 20);
    assert_eq!(name["x-onething-title"], json!({"zh": "姓名", "en": "Name"}));
    let sources: Vec<&str> = name["x-onething-sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["/gd/*/gdmc", "/tzf/*/tzfmc"]);
    // A value map is pulled back per column; a department-only column keeps its own name.
    assert_eq!(items["properties"]["gender"]["enum"], json!(["男", "女"]));
    assert_eq!(items["properties"]["czbl"]["maximum"], 100);
    assert_eq!(field["x-onething-element"], json!({"zh": "第{n}位股东", "en": "shareholder {n}"}));
    // Provenance per column: who set each bound.
    let provenance = &field["x-onething-provenance"]["/items/properties/name/maxLength"];
    let items_blamed: Vec<&str> =
        provenance.as_array().unwrap().iter().map(|s| s["item"].as_str().unwrap()).collect();
    assert_eq!(items_blamed.len(), 2);
    assert!(
        c.warnings().iter().all(|w| !w.to_string().contains("shareholders[].name")),
        "{:?}",
        c.warnings()
    );
}

#[test]
fn errors_name_the_element_and_the_column_and_blame_the_department_whose_constraint_fails() {
    let c = compiled(bundle());
    let mut bad = zhou();
    bad["name"] = json!("周".repeat(25));
    bad["id_number"] = json!("2301031984070825");
    bad["gender"] = json!("未知");
    let v = c.validate(&submission(json!([li(), bad])));
    assert!(!v.valid);
    let find = |pointer: &str| {
        v.errors.iter().find(|e| e.pointer == pointer).unwrap_or_else(|| panic!("{pointer}: {:?}", v.errors))
    };
    let name = find("/shareholders/1/name");
    assert_eq!(name.key.as_deref(), Some("shareholders[].name"));
    assert_eq!(name.items, ["tax"], "25 characters break the tax bureau's 20, not the regulator's 30");
    assert!(name.message.zh.starts_with("第2位股东的姓名"), "{}", name.message.zh);
    assert!(name.message.en.contains("Name of shareholder 2"), "{}", name.message.en);
    assert_eq!(find("/shareholders/1/id_number").items, ["reg"]);
    assert_eq!(find("/shareholders/1/gender").key.as_deref(), Some("shareholders[].gender"));
    assert!(v.errors.iter().all(|e| !e.pointer.starts_with("/shareholders/0")), "{:?}", v.errors);
}

#[test]
fn what_reads_the_departments_own_elements_is_checked_on_its_view() {
    let c = compiled(bundle());
    // Two equal shareholders: the regulator's `uniqueItems`, on its own array.
    let v = c.validate(&submission(json!([li(), li()])));
    let e = v.errors.iter().find(|e| e.keyword == "uniqueItems").unwrap_or_else(|| panic!("{:?}", v.errors));
    assert_eq!((e.pointer.as_str(), e.items.as_slice()), ("/shareholders", &["reg".to_owned()][..]));
    // No shareholder: the regulator's `minItems`; 21: the tax bureau's `maxItems`.
    let v = c.validate(&submission(json!([])));
    assert!(v.errors.iter().any(|e| e.keyword == "minItems" && e.items == ["reg"]), "{:?}", v.errors);
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"name": format!("股东{i}"), "id_number": format!("23010319840708{i:04}")}))
        .collect();
    let v = c.validate(&submission(Value::Array(many)));
    assert!(v.errors.iter().any(|e| e.keyword == "maxItems" && e.items == ["tax"]), "{:?}", v.errors);
}

#[test]
fn malformed_lists_in_a_submission_are_errors_at_their_place() {
    let c = compiled(bundle());
    let v = c.validate(&submission(json!([li(), "周海波"])));
    let e =
        v.errors.iter().find(|e| e.pointer == "/shareholders/1").unwrap_or_else(|| panic!("{:?}", v.errors));
    assert_eq!(e.keyword, "type");
    assert!(e.message.zh.starts_with("第2位股东"), "{}", e.message.zh);
    let v = c.validate(&submission(json!("李志强")));
    assert!(v.errors.iter().any(|e| e.pointer == "/shareholders" && e.keyword == "type"), "{:?}", v.errors);
    let v = c.validate(&submission(
        json!([{"name": "李志强", "id_number": "23100419860412123X", "birth_date": "1986-02-30"}]),
    ));
    assert!(v.errors.iter().any(|e| e.pointer == "/shareholders/0/birth_date"), "{:?}", v.errors);
}

#[test]
fn dispatch_gives_each_department_its_own_array_with_only_its_columns() {
    let c = compiled(bundle());
    let s = submission(json!([li(), zhou()]));
    assert!(c.validate(&s).valid, "{:?}", c.validate(&s).errors);
    let d = c.dispatch(&s).unwrap();
    let reg = &d.payloads.iter().find(|p| p.item == "reg").unwrap().payload;
    assert_eq!(
        reg["gd"],
        json!([
            {"gdmc": "李志强", "zjhm": "23100419860412123X", "xb": "1", "csrq": "19860412", "czbl": 60},
            {"gdmc": "周海波", "zjhm": "230103198407082516", "xb": "1", "csrq": "19840708"}
        ])
    );
    let tax = &d.payloads.iter().find(|p| p.item == "tax").unwrap().payload;
    assert_eq!(
        tax["tzf"],
        json!([{"tzfmc": "李志强", "zjhm": "23100419860412123X"}, {"tzfmc": "周海波", "zjhm": "230103198407082516"}])
    );
    assert_eq!(tax.as_object().unwrap().len(), 2, "no column the tax bureau did not declare: {tax}");
}

#[test]
fn rules_see_the_list_as_an_array_of_maps_over_the_columns() {
    let mut b = bundle();
    b["items"][0]["eligibility"] = json!([{
        "id": "two-or-more", "title": {"zh": "至少两位股东", "en": "Two shareholders or more"},
        "script": "let all = form[\"shareholders\"]; all.len() >= 2 && all.filter(|s| s.gender == \"男\").len() == 2"
    }]);
    let c = compiled(b);
    let date: Date = "2026-12-07".parse().unwrap();
    let two = c.evaluate(&submission(json!([li(), zhou()])), date);
    assert_eq!(two.items[0].outcome, Outcome::Accepted, "{:?}", two.trace);
    let one = c.evaluate(&submission(json!([li()])), date);
    assert_eq!(one.items[0].outcome, Outcome::Rejected, "{:?}", one.items[0]);
}

#[test]
fn lists_nest() {
    let b = json!({
        "id": "nested", "version": "1", "title": {"zh": "户", "en": "Households"}, "lead": "a",
        "departments": [{"id": "a", "name": {"zh": "甲", "en": "A"}}],
        "fields": {"households[].members[].name": {"title": {"zh": "成员姓名", "en": "Member's name"}}},
        "items": [{"id": "one", "department": "a", "title": {"zh": "一", "en": "One"},
            "schema": {"type": "object", "properties": {"hh": {"type": "array", "items": {"type": "object", "properties": {
                "hzxm": {"type": "string"},
                "cy": {"type": "array", "items": {"type": "object", "required": ["xm"], "properties": {"xm": {"type": "string", "maxLength": 4}}}}}}}}},
            "field_map": {"/hh/*/hzxm": "households[].head", "/hh/*/cy/*/xm": "households[].members[].name"}}]
    });
    let c = compiled(b);
    let s: Submission = serde_json::from_value(json!({"values": {"households": [
        {"head": "王", "members": [{"name": "王小明"}, {"name": "王小明明明"}]}]}}))
    .unwrap();
    let v = c.validate(&s);
    let e = v
        .errors
        .iter()
        .find(|e| e.pointer == "/households/0/members/1/name")
        .unwrap_or_else(|| panic!("{:?}", v.errors));
    assert_eq!(e.key.as_deref(), Some("households[].members[].name"));
    assert!(e.message.zh.contains("成员姓名"), "{}", e.message.zh);
    let ok: Submission = serde_json::from_value(
        json!({"values": {"households": [{"head": "王", "members": [{"name": "王小明"}]}]}}),
    )
    .unwrap();
    let d = c.dispatch(&ok).unwrap();
    assert_eq!(d.payloads[0].payload, json!({"hh": [{"hzxm": "王", "cy": [{"xm": "王小明"}]}]}));
}

fn with_map(item: usize, map: Value) -> Value {
    let mut b = bundle();
    b["items"][item]["field_map"] = map;
    b
}

#[test]
fn malformed_list_mappings_are_problems_at_their_entries() {
    let cases = [
        (
            with_map(1, json!({"/nsrmc": "company.name", "/tzf/*/tzfmc": "name"})),
            "/tzf/*/tzfmc: maps a property of the elements of /tzf: its key must name the list and the column",
        ),
        (
            with_map(
                1,
                json!({"/nsrmc": "company.name", "/tzf/*/tzfmc": "shareholders[].name", "/tzf/*/zjhm": "investors[].id"}),
            ),
            "into the list `investors`, but other entries map them into `shareholders`",
        ),
        (
            with_map(1, json!({"/nsrmc": "company[].name"})),
            "`company[].name` names a column of a list, but /nsrmc is not inside an array",
        ),
        (with_map(1, json!({"/nsrmc/*/x": "a[].x"})), "the department's schema has no array at /nsrmc"),
        (with_map(1, json!({"/nsrmc": "company.name", "/tzf/0/tzfmc": "x"})), "write `*` for the index"),
        (
            with_map(1, json!({"/nsrmc": "company.name", "/tzf": "x", "/tzf/*/tzfmc": "x[].name"})),
            "/tzf: is mapped whole, and its elements through `*` too",
        ),
        (
            with_map(1, json!({"/nsrmc": "company.name", "/tzf": "shareholders"})),
            "`shareholders` is mapped whole here, but item `reg` (department `market`) maps it column by column from /gd/*",
        ),
    ];
    for (b, expected) in cases {
        let found = messages(b);
        assert!(found.iter().any(|m| m.contains(expected)), "expected `{expected}` among {found:#?}");
    }
    let mut b = bundle();
    b["items"][1]["schema"]["properties"]["tzf"]["prefixItems"] = json!([{"type": "object"}]);
    let found = messages(b);
    assert!(found.iter().any(|m| m.contains("prefixItems")), "{found:#?}");
    // Where the problem is, as a JSON Pointer into the bundle document.
    let p = problems(with_map(1, json!({"/nsrmc": "company.name", "/tzf/*/tzfmc": "name"})));
    assert_eq!(p[0].bundle_pointer(), Some("/items/1/field_map/~1tzf~1*~1tzfmc"));
}

/// An eligibility rule on each shareholder: a natural person must be 18 or older.
fn adults_only(for_each: &str) -> Value {
    let mut b = bundle();
    b["items"][0]["eligibility"] = json!([{
        "id": "shareholders-adult", "for_each": for_each,
        "title": {"zh": "自然人股东年满18周岁", "en": "A natural-person shareholder is 18 or older"},
        "script": "if index > 99 { throw \"too many\"; } id_age(element.id_number, today) >= 18"
    }]);
    b
}

#[test]
fn a_rule_for_each_element_runs_on_every_element_and_names_the_one_that_fails() {
    let c = compiled(adults_only("shareholders"));
    let date: Date = "2026-12-07".parse().unwrap();
    let accepted = c.evaluate(&submission(json!([li(), zhou()])), date);
    assert_eq!(accepted.items[0].outcome, Outcome::Accepted, "{:?}", accepted.items[0]);
    assert_eq!(
        accepted.trace.iter().filter(|t| t.rule == "shareholders-adult").count(),
        2,
        "one run per element"
    );
    // The second shareholder was born on 2010-03-01: 16 years old.
    let minor = json!({"name": "李小龙", "id_number": "231004201003011236", "gender": "男", "birth_date": "2010-03-01"});
    let d = c.evaluate(&submission(json!([li(), minor.clone()])), date);
    assert_eq!(d.items[0].outcome, Outcome::Rejected, "{:?}", d.items[0]);
    assert_eq!(d.items[0].reasons.len(), 1, "the adult passes: {:?}", d.items[0].reasons);
    assert_eq!(d.items[0].reasons[0].message.zh, "第2位股东：不符合：自然人股东年满18周岁");
    assert_eq!(
        d.items[0].reasons[0].message.en,
        "shareholder 2: Not met: A natural-person shareholder is 18 or older"
    );
    // An element the rule cannot read (no ID number) sends the item to an official, naming it.
    let d = c.evaluate(&submission(json!([{"name": "无号"}, li()])), date);
    assert_eq!(d.items[0].outcome, Outcome::ManualReview, "{:?}", d.items[0]);
    assert!(
        d.items[0].reasons[0].message.zh.contains("第1位股东：自然人股东年满18周岁"),
        "{:?}",
        d.items[0].reasons
    );
    // No element, no run.
    let d = c.evaluate(&submission(json!([])), date);
    assert!(d.trace.iter().all(|t| t.rule != "shareholders-adult"));
}

#[test]
fn a_rule_for_each_element_warns_in_the_wizard_per_element() {
    let c = compiled(adults_only("shareholders"));
    let mut w = onething::Wizard::new(&c, None, Some("2026-12-07".parse().unwrap()));
    let minor = json!({"name": "李小龙", "id_number": "231004201003011236"});
    w.set("shareholders", json!([li(), minor])).unwrap();
    let warnings: Vec<String> = w.state().warnings.iter().map(|x| x.message.zh.clone()).collect();
    assert_eq!(warnings, ["第2位股东：不符合：自然人股东年满18周岁"]);
}

#[test]
fn a_rule_for_each_element_names_a_list_of_the_form() {
    for (list, expected) in
        [("sharehlders", "did you mean `shareholders`"), ("company.name", "list `company.name`")]
    {
        let found = messages(adults_only(list));
        assert!(found.iter().any(|m| m.contains(expected)), "{list}: {found:#?}");
    }
    let p = problems(adults_only("sharehlders"));
    assert_eq!(p[0].bundle_pointer(), Some("/items/0/eligibility/0/for_each"));
}

#[test]
fn the_wizard_edits_a_list_row_by_row() {
    use onething::{Wizard, WizardError};
    let c = compiled(bundle());
    let mut w = Wizard::new(&c, None, Some("2026-12-07".parse().unwrap()));
    w.set("company.name", json!("某公司")).unwrap();
    assert_eq!(w.add_row("shareholders", json!({})).unwrap(), 0);
    w.set_cell("shareholders", 0, "name", json!("李志强")).unwrap();
    w.set_cell("shareholders", 0, "id_number", json!("23100419860412123X")).unwrap();
    assert_eq!(w.add_row("shareholders", zhou()).unwrap(), 1);
    w.set_cell("shareholders", 1, "id_number", json!("2301031984070825")).unwrap();
    let state = w.state();
    let field = state.steps.iter().flat_map(|s| &s.fields).find(|f| f.key == "shareholders").unwrap();
    let list = field.list.as_ref().unwrap();
    assert_eq!(list.rows.iter().map(|r| r.zh.as_str()).collect::<Vec<_>>(), ["第1位股东", "第2位股东"]);
    assert_eq!((list.min_items, list.max_items), (Some(1), Some(20)));
    let name = list.columns.iter().find(|c| c.key == "name").unwrap();
    assert!(name.required && name.title.zh == "姓名");
    assert!(!list.columns.iter().find(|c| c.key == "gender").unwrap().required);
    // The second row's error is on the list field, at the row's pointer.
    let pointers: Vec<&str> = field.errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(pointers, ["/shareholders/1/id_number"], "{:?}", field.errors);
    // Reorder, clear a cell, remove a row.
    w.move_row("shareholders", 1, 0).unwrap();
    assert_eq!(w.answers()["shareholders"][0]["name"], "周海波");
    w.set_cell("shareholders", 0, "gender", Value::Null).unwrap();
    assert!(w.answers()["shareholders"][0].get("gender").is_none());
    w.remove_row("shareholders", 0).unwrap();
    assert_eq!(w.answers()["shareholders"], json!([{"name": "李志强", "id_number": "23100419860412123X"}]));
    assert!(w.state().steps.iter().flat_map(|s| &s.fields).all(|f| f.errors.is_empty()));
    // Bad requests are typed errors naming what is wrong.
    assert_eq!(
        w.remove_row("shareholders", 5),
        Err(WizardError::NoRow { key: "shareholders".into(), index: 5, rows: 1 })
    );
    assert!(matches!(w.add_row("company.name", json!({})), Err(WizardError::NotAList { .. })));
    assert!(matches!(w.add_row("shareholders", json!("李")), Err(WizardError::NotARow { .. })));
    let e = w.set_cell("shareholders", 0, "nmae", json!("x")).unwrap_err();
    assert_eq!(
        e,
        WizardError::UnknownColumn {
            key: "shareholders".into(),
            column: "nmae".into(),
            suggestion: Some("name".into())
        }
    );
    assert!(e.text().zh.contains("没有「nmae」一栏"), "{}", e.text().zh);
    for n in 1..20 {
        w.add_row("shareholders", json!({"name": format!("股东{n}")})).unwrap();
    }
    let full = w.add_row("shareholders", json!({})).unwrap_err();
    assert_eq!(full, WizardError::TooManyRows { key: "shareholders".into(), max: 20 });
    assert_eq!(full.text().zh, "「shareholders」最多20项");
}

#[test]
fn a_derive_rule_fills_a_column_of_each_element_left_blank() {
    let mut b = bundle();
    b["derive"] = json!([
        {"key": "shareholders[].gender", "script": "id_gender(element.id_number)"},
        {"key": "shareholders[].birth_date", "script": "let d = id_birth_date(element.id_number); if d == () { () } else { `${d}` }"}
    ]);
    b["items"][0]["eligibility"] = json!([{
        "id": "men", "title": {"zh": "男性股东", "en": "Male shareholders"},
        "script": "form[\"shareholders\"].all(|s| s.gender == \"男\")"
    }]);
    let c = compiled(b.clone());
    let date: Date = "2026-12-07".parse().unwrap();
    // Zhou's gender and birth date are left blank: derived from his ID number, dispatched
    // in the regulator's codes; Li's typed values stay.
    let blank = json!({"name": "周海波", "id_number": "230103198407082516"});
    let s = submission(json!([li(), blank]));
    let d = c.evaluate(&s, date);
    assert_eq!(d.items[0].outcome, Outcome::Accepted, "{:?} {:?}", d.items[0], d.trace);
    let derive_runs = d.trace.iter().filter(|t| t.kind == onething::decision::RuleKind::Derive).count();
    assert_eq!(derive_runs, 2, "one run per rule, on the one element left blank");
    let p = c.dispatch(&s).unwrap();
    let gd = &p.payloads.iter().find(|p| p.item == "reg").unwrap().payload["gd"];
    assert_eq!((gd[1]["xb"].as_str(), gd[1]["csrq"].as_str()), (Some("1"), Some("19840708")), "{gd}");
    // A derive key naming no column of a list is a compile problem.
    b["derive"][0]["key"] = json!("shareholders[].gendr");
    let found = messages(b);
    assert!(
        found.iter().any(|m| m.contains("shareholders[].gendr") && m.contains("shareholders[].gender")),
        "{found:#?}"
    );
}

fn with_source(fields: Value) -> Value {
    let mut b = bundle();
    b["sources"] = json!([{"id": "register", "title": {"zh": "股东名册", "en": "Register of shareholders"},
                           "kind": "e_licence", "fields": fields}]);
    b
}

#[test]
fn a_source_holding_a_list_fills_it_element_by_element() {
    let c = compiled(with_source(json!({
        "/gdmc/*/mc": "shareholders[].name",
        "/gdmc/*/zjhm": "shareholders[].id_number",
        "/gdmc/*/xb": {"key": "shareholders[].gender", "transform": {"value_map": [
            {"canonical": "男", "department": "1"}, {"canonical": "女", "department": "2"}]}}
    })));
    let document = json!({"gdmc": [{"mc": "李志强", "zjhm": "23100419860412123X", "xb": "1"}, {"mc": "周海波", "xb": "3"}]});
    let documents: indexmap::IndexMap<String, Value> =
        [("register".to_owned(), document)].into_iter().collect();
    let p = c.prefill(&serde_json::Map::new(), &["register".to_owned()], &documents, None);
    assert_eq!(
        p.values["shareholders"].value,
        json!([{"name": "李志强", "id_number": "23100419860412123X", "gender": "男"}, {"name": "周海波"}])
    );
    assert!(
        p.notes.iter().any(|n| n.message.en.contains("/gdmc/*/xb")),
        "the unknown code is noted: {:?}",
        p.notes
    );
}

/// An authoritative register fills the shareholders' names and ID numbers: those stay
/// locked row by row, the columns it does not fill (gender, birth date) stay the
/// applicant's, in the prefill, in the wizard and across a typed list.
#[test]
fn an_authoritative_list_is_locked_in_its_source_columns_and_open_in_the_others() {
    use onething::{Wizard, WizardError};
    let mut b =
        with_source(json!({"/gdmc/*/mc": "shareholders[].name", "/gdmc/*/zjhm": "shareholders[].id_number"}));
    b["sources"][0]["authoritative"] = json!(true);
    let c = compiled(b);
    let document = json!({"gdmc": [{"mc": "李志强", "zjhm": "23100419860412123X"}, {"mc": "周海波", "zjhm": "230103198407082516"}]});
    let documents: indexmap::IndexMap<String, Value> =
        [("register".to_owned(), document)].into_iter().collect();
    let consent = ["register".to_owned()];
    let p = c.prefill(&serde_json::Map::new(), &consent, &documents, None);
    let filled = &p.values["shareholders"];
    assert!(filled.locked);
    // `czbl`, the regulator's share column no field map names, is a column too.
    assert_eq!(filled.open_columns, ["gender", "birth_date", "czbl"]);
    // A typed list that completes the register's rows is the register's, not a conflict.
    let completed = json!([
        {"name": "李志强", "id_number": "23100419860412123X", "gender": "男"},
        {"name": "周海波", "id_number": "230103198407082516", "birth_date": "1984-07-08"}
    ]);
    let typed = json!({"shareholders": completed.clone()});
    let p2 = c.prefill(typed.as_object().unwrap(), &consent, &documents, None);
    assert!(p2.conflicts.is_empty(), "{:?}", p2.conflicts);
    assert_eq!(p2.values["shareholders"].value, completed, "the typed list is kept as typed");
    assert!(p2.values["shareholders"].locked);
    // One that changes a name, or drops a row, disagrees with the register.
    for wrong in [
        json!([{"name": "李志刚", "id_number": "23100419860412123X"}, completed[1].clone()]),
        json!([completed[0].clone()]),
    ] {
        let typed = json!({"shareholders": wrong.clone()});
        let p3 = c.prefill(typed.as_object().unwrap(), &consent, &documents, None);
        assert_eq!(p3.conflicts.len(), 1, "{wrong}");
        assert!(!p3.values["shareholders"].locked);
    }
    // The wizard: open columns answered cell by cell, the list still the register's.
    let mut w = Wizard::new(&c, Some(&p), Some("2026-12-07".parse().unwrap()));
    w.set_cell("shareholders", 1, "gender", json!("男")).unwrap();
    w.set_cell("shareholders", 0, "birth_date", json!("1986-04-12")).unwrap();
    assert_eq!(
        w.set_cell("shareholders", 0, "name", json!("李志刚")),
        Err(WizardError::Locked { key: "shareholders[].name".into() })
    );
    assert!(matches!(w.add_row("shareholders", json!({})), Err(WizardError::Locked { .. })));
    assert!(matches!(w.remove_row("shareholders", 0), Err(WizardError::Locked { .. })));
    assert!(matches!(w.set("shareholders", json!([])), Err(WizardError::Locked { .. })));
    assert!(matches!(w.set_cell("shareholders", 2, "gender", json!("男")), Err(WizardError::NoRow { .. })));
    assert!(matches!(
        w.set_cell("shareholders", 0, "gendr", json!("男")),
        Err(WizardError::UnknownColumn { .. })
    ));
    let state = w.state();
    let field = state.steps.iter().flat_map(|s| &s.fields).find(|f| f.key == "shareholders").unwrap();
    assert!(field.locked);
    let locked: Vec<(&str, bool)> =
        field.list.as_ref().unwrap().columns.iter().map(|c| (c.key.as_str(), c.locked)).collect();
    assert_eq!(
        locked,
        [("name", true), ("id_number", true), ("gender", false), ("birth_date", false), ("czbl", false)]
    );
    assert_eq!(
        w.answers()["shareholders"],
        json!([
            {"name": "李志强", "id_number": "23100419860412123X", "birth_date": "1986-04-12"},
            {"name": "周海波", "id_number": "230103198407082516", "gender": "男"}
        ])
    );
    // A saved draft keeps the open columns.
    let draft = w.save();
    assert_eq!(draft.origins["shareholders"].open_columns, ["gender", "birth_date", "czbl"]);
    let mut resumed = Wizard::resume(&c, draft, Some("2026-12-07".parse().unwrap())).unwrap();
    resumed.set_cell("shareholders", 1, "birth_date", json!("1984-07-08")).unwrap();
    assert!(matches!(
        resumed.set_cell("shareholders", 1, "name", json!("x")),
        Err(WizardError::Locked { .. })
    ));
}

#[test]
fn a_source_field_through_an_array_must_fill_a_column_of_a_list() {
    let cases = [
        (json!({"/gdmc/*/mc": "company.name"}), "its key must be a list's column"),
        (json!({"/gdmc/mc": "shareholders[].name"}), "must go through the source's array with `*`"),
        (json!({"/gdmc/*/mc": "shareholders[].nmae"}), "did you mean `shareholders[].name`"),
        (json!({"/a/*/b/*/c": "shareholders[].name"}), "one `*` only"),
    ];
    for (fields, expected) in cases {
        let found = messages(with_source(fields));
        assert!(found.iter().any(|m| m.contains(expected)), "expected `{expected}` among {found:#?}");
    }
}

/// The regulator's shareholders get a kind; the bank lists only the natural persons (its
/// beneficial owners), each with a short name and at least two properties, at least one.
fn with_bank() -> Value {
    let mut b = bundle();
    b["items"][0]["schema"]["properties"]["gd"]["items"]["properties"]["lx"] = json!({"enum": ["1", "2"]});
    b["items"][0]["field_map"]["/gd/*/lx"] = json!({"key": "shareholders[].kind", "transform": {"value_map": [
        {"canonical": "自然人", "department": "1"}, {"canonical": "法人", "department": "2"}]}});
    b["departments"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "bank", "name": {"zh": "银行", "en": "Bank"}}));
    b["items"].as_array_mut().unwrap().push(json!({
        "id": "account", "title": {"zh": "开户", "en": "Account"}, "department": "bank",
        "schema": {"type": "object", "properties": {"syr": {"type": "array", "minItems": 1,
            "items": {"type": "object", "required": ["xm"], "minProperties": 2,
                      "properties": {"xm": {"type": "string", "maxLength": 10}, "sfzh": {"type": "string"}}}}}},
        "field_map": {
            "/syr/*": {"elements_if": {"properties": {"kind": {"const": "自然人"}}, "required": ["kind"]}},
            "/syr/*/xm": "shareholders[].name",
            "/syr/*/sfzh": "shareholders[].id_number"
        }
    }));
    b
}

fn company(name: &str) -> Value {
    json!({"name": name, "id_number": "912310041234567890", "kind": "法人"})
}

#[test]
fn a_department_listing_only_some_elements_gets_and_checks_only_those() {
    let c = compiled(with_bank());
    let mut li = li();
    li["kind"] = json!("自然人");
    // A company with a long name: the bank's 10 characters do not concern it.
    let long = company("牡丹江雪城软件科技有限公司");
    let s = submission(json!([long.clone(), li.clone()]));
    assert!(c.validate(&s).valid, "{:?}", c.validate(&s).errors);
    let d = c.dispatch(&s).unwrap();
    let bank = &d.payloads.iter().find(|p| p.item == "account").unwrap().payload;
    assert_eq!(
        bank["syr"],
        json!([{"xm": "李志强", "sfzh": "23100419860412123X"}]),
        "only the natural person"
    );
    let reg = &d.payloads.iter().find(|p| p.item == "reg").unwrap().payload;
    assert_eq!(reg["gd"].as_array().unwrap().len(), 2, "the regulator takes every shareholder");
    // A natural person with a long name: the bank's constraint, at the list's index.
    let mut long_person = li.clone();
    long_person["name"] = json!("李".repeat(12));
    let v = c.validate(&submission(json!([long.clone(), long_person])));
    let e = v
        .errors
        .iter()
        .find(|e| e.pointer == "/shareholders/1/name")
        .unwrap_or_else(|| panic!("{:?}", v.errors));
    assert_eq!(e.items, ["account"]);
    // The bank counts natural persons: none is too few.
    let v = c.validate(&submission(json!([long.clone()])));
    assert!(v.errors.iter().any(|e| e.keyword == "minItems" && e.items == ["account"]), "{:?}", v.errors);
    // What only the bank's view can check (its element's `minProperties`) is placed at the
    // list's element: the bank's first element is the list's third.
    let bare = json!({"name": "王五", "kind": "自然人"});
    let v = c.validate(&submission(json!([long.clone(), company("甲公司"), bare, li])));
    let e =
        v.errors.iter().find(|e| e.keyword == "minProperties").unwrap_or_else(|| panic!("{:?}", v.errors));
    assert_eq!((e.pointer.as_str(), e.items.as_slice()), ("/shareholders/2", &["account".to_owned()][..]));
    assert!(e.message.zh.starts_with("第3位股东"), "{}", e.message.zh);
}

#[test]
fn elements_if_belongs_on_an_arrays_elements_and_is_a_schema() {
    let mut b = with_bank();
    b["items"][2]["field_map"]["/syr/*"] = json!({"elements_if": {"type": "nonsense"}});
    assert!(messages(b).iter().any(|m| m.contains("`elements_if` is not a valid JSON Schema")));
    let mut b = with_bank();
    b["items"][2]["field_map"]["/syr/*/xm"] = json!({"elements_if": true});
    assert!(messages(b).iter().any(|m| m.contains("write it at the array's `*`")));
}

/// A check of each shareholder: the gender agrees with the ID number.
fn gender_checked(fields: Value) -> Value {
    let mut b = bundle();
    b["items"][0]["checks"] = json!([{
        "id": "gender-matches-id", "for_each": "shareholders", "fields": fields,
        "title": {"zh": "性别与证件号码一致", "en": "The gender agrees with the ID number"},
        "script": "id_gender(element.id_number) == element.gender"
    }]);
    b
}

#[test]
fn a_check_of_each_element_asks_to_correct_that_element() {
    let c = compiled(gender_checked(json!(["shareholders[].gender", "shareholders[].id_number"])));
    let date: Date = "2026-12-07".parse().unwrap();
    let mut wrong = zhou();
    wrong["gender"] = json!("女");
    // No gender: not checked (nothing to compare); a wrong one: a deficiency naming the element.
    let mut blank = li();
    blank.as_object_mut().unwrap().remove("gender");
    let d = c.evaluate(&submission(json!([blank, wrong.clone()])), date);
    assert_eq!(d.items[0].outcome, Outcome::CorrectionRequired, "{:?}", d.items[0]);
    let deficiency = d
        .deficiencies
        .iter()
        .find(|x| x.id == "check:gender-matches-id[1]")
        .unwrap_or_else(|| panic!("{:?}", d.deficiencies));
    assert_eq!(deficiency.message.zh, "第2位股东：不符合：性别与证件号码一致");
    assert!(deficiency.fix.zh.starts_with("第2位股东：请核对「性别」「证件号码」"), "{}", deficiency.fix.zh);
    assert_eq!(d.deficiencies.iter().filter(|x| x.id.starts_with("check:")).count(), 1);
    // The wizard shows it on the list, at the element's columns.
    let mut w = onething::Wizard::new(&c, None, Some(date));
    w.set("shareholders", json!([li(), wrong])).unwrap();
    let state = w.state();
    let field = state.steps.iter().flat_map(|s| &s.fields).find(|f| f.key == "shareholders").unwrap();
    let pointers: Vec<&str> =
        field.errors.iter().filter(|e| e.keyword == "check").map(|e| e.pointer.as_str()).collect();
    assert_eq!(pointers, ["/shareholders/1/gender", "/shareholders/1/id_number"]);
    // Fields must be columns of the list.
    let found = messages(gender_checked(json!(["company.name"])));
    assert!(found.iter().any(|m| m.contains("unknown `shareholders` column `company.name`")), "{found:#?}");
    // A misspelt column: the suggestion is among the list's columns.
    let found = messages(gender_checked(json!(["shareholders[].gendr"])));
    assert!(found.iter().any(|m| m.contains("did you mean `shareholders[].gender`?")), "{found:#?}");
}

#[test]
fn the_list_keeps_the_departments_own_type_and_bounds_written_as_decimals() {
    let mut b = bundle();
    b["items"][1]["schema"]["properties"]["tzf"]["type"] = json!(["array", "null"]);
    b["items"][1]["schema"]["properties"]["tzf"]["minItems"] = json!(2.0);
    b["items"][0]["schema"]["required"] = json!(["qymc"]);
    b["items"][0]["schema"]["properties"]["gd"]["type"] = json!(["array", "null"]);
    let c = compiled(b);
    let field = &c.form()["properties"]["shareholders"];
    assert_eq!(field["minItems"], 2, "{field}");
    // Both departments accept `null` for the list: so does the merged form.
    let v = c.validate(&submission(Value::Null));
    assert!(v.errors.iter().all(|e| e.pointer != "/shareholders"), "{:?}", v.errors);
    let v = c.validate(&submission(json!([li()])));
    assert!(v.errors.iter().any(|e| e.keyword == "minItems" && e.items == ["tax"]), "{:?}", v.errors);
}

#[test]
fn a_rule_on_each_element_does_not_decide_on_a_column_a_derive_rule_could_not_fill() {
    let mut b = adults_only("shareholders");
    b["derive"] = json!([{"key": "shareholders[].gender", "script": "if index == 1 { throw \"no register\" } id_gender(element.id_number)"}]);
    let c = compiled(b);
    let mut blank = zhou();
    blank.as_object_mut().unwrap().remove("gender");
    let d = c.evaluate(&submission(json!([li(), blank])), "2026-12-07".parse().unwrap());
    assert_eq!(d.items[0].outcome, Outcome::ManualReview, "{:?}", d.items[0]);
}

#[test]
fn a_column_is_a_month_or_a_date_never_both() {
    let mut b = bundle();
    b["items"][1]["schema"]["properties"]["tzf"]["items"]["properties"]["csny"] = json!({"type": "string"});
    b["items"][1]["field_map"]["/tzf/*/csny"] =
        json!({"key": "shareholders[].birth_date", "transform": {"date": {"layout": "YYYYMM"}}});
    let found = messages(b);
    assert!(
        found
            .iter()
            .any(|m| m.contains("`shareholders[].birth_date` is a month here") && m.contains("/gd/*/csrq")),
        "{found:#?}"
    );
}

/// Each shareholder hands in an ID card (tolerable, secondary); the company its articles.
fn with_id_cards() -> Value {
    let mut b = bundle();
    b["items"][0]["materials"] = json!([
        {"id": "articles", "title": {"zh": "公司章程", "en": "Articles of association"}},
        {"id": "shareholder-id", "for_each": "shareholders", "kind": "secondary", "tolerable": true,
         "title": {"zh": "身份证", "en": "ID card"}}
    ]);
    b
}

#[test]
fn a_material_of_each_element_is_owed_per_element_and_named_for_it() {
    let c = compiled(with_id_cards());
    let date: Date = "2026-12-07".parse().unwrap();
    let mut s = submission(json!([li(), zhou()]));
    s.materials.insert("articles".into(), onething::MaterialStatus::Provided);
    s.materials.insert("shareholder-id[0]".into(), onething::MaterialStatus::Provided);
    s.commitments.push(onething::TOLERANCE_COMMITMENT.into());
    assert!(c.validate(&s).valid, "{:?}", c.validate(&s).errors);
    let d = c.evaluate(&s, date);
    // The second shareholder's card is missing: tolerated, due later, named for him.
    assert_eq!(d.items[0].outcome, Outcome::AcceptedWithTolerance, "{:?}", d.items[0]);
    assert_eq!(d.items[0].tolerated, ["shareholder-id[1]"]);
    let notice = c.notice_for(&s, date);
    let owed: Vec<(&str, &str)> =
        notice.materials.iter().map(|m| (m.key.as_str(), m.title.zh.as_str())).collect();
    assert_eq!(owed, [("shareholder-id[1]", "第2位股东的身份证")]);
    // Both missing, and no tolerance commitment signed: a deficiency for each, naming them.
    let mut none = submission(json!([li(), zhou()]));
    none.materials.insert("articles".into(), onething::MaterialStatus::Provided);
    let d = c.evaluate(&none, date);
    assert_eq!(d.items[0].deficiencies, ["material:shareholder-id[0]", "material:shareholder-id[1]"]);
    let first = d.deficiencies.iter().find(|x| x.id == "material:shareholder-id[0]").unwrap();
    assert!(first.message.zh.contains("第1位股东的身份证"), "{}", first.message.zh);
    // The wizard lists one need per shareholder.
    let mut w = onething::Wizard::new(&c, None, Some(date));
    w.set("shareholders", json!([li(), zhou()])).unwrap();
    w.set_material("shareholder-id[1]", Some(onething::MaterialStatus::Provided)).unwrap();
    let needs: Vec<(String, String)> =
        w.state().materials.iter().map(|m| (m.id.clone(), m.title.zh.clone())).collect();
    assert!(needs.contains(&("shareholder-id[0]".into(), "第1位股东的身份证".into())), "{needs:?}");
    assert!(w.set_material("shareholder-id", Some(onething::MaterialStatus::Provided)).is_err());
    // The key alone is an error saying how to give it.
    let mut bare = submission(json!([li()]));
    bare.materials.insert("shareholder-id".into(), onething::MaterialStatus::Provided);
    let v = c.validate(&bare);
    assert!(v.errors.iter().any(|e| e.message.zh.contains("shareholder-id[0]")), "{:?}", v.errors);
    // A list the form does not have is a compile problem.
    let mut b = with_id_cards();
    b["items"][0]["materials"][1]["for_each"] = json!("sharehlders");
    assert!(messages(b).iter().any(|m| m.contains("did you mean `shareholders`")));
}

/// The shareholders' ID cards, but a guardian's consent only of each shareholder under 18:
/// a `required_if` of a material of each element decides for each element on its own.
fn with_guardian_consent() -> Value {
    let mut b = with_id_cards();
    b["items"][0]["materials"].as_array_mut().unwrap().push(json!({
        "id": "guardian-consent", "for_each": "shareholders",
        "title": {"zh": "监护人同意书", "en": "Guardian's consent"},
        "required_if": {"title": {"zh": "股东未满18周岁", "en": "the shareholder is under 18"},
                        "script": "let age = id_age(element.id_number, today); age == () || age < 18"}
    }));
    b
}

#[test]
fn a_material_of_each_element_can_be_required_of_some_elements_only() {
    let c = compiled(with_guardian_consent());
    let date: Date = "2026-12-07".parse().unwrap();
    let minor = json!({"name": "李小龙", "id_number": "231004201003011236"});
    let mut s = submission(json!([li(), minor.clone(), zhou()]));
    for key in ["articles", "shareholder-id[0]", "shareholder-id[1]", "shareholder-id[2]"] {
        s.materials.insert(key.into(), onething::MaterialStatus::Provided);
    }
    let d = c.evaluate(&s, date);
    // Only the second shareholder (16) owes a consent, named for him.
    assert_eq!(d.items[0].deficiencies, ["material:guardian-consent[1]"], "{:?}", d.items[0]);
    let owed = d.deficiencies.iter().find(|x| x.id == "material:guardian-consent[1]").unwrap();
    assert!(owed.message.zh.contains("第2位股东的监护人同意书"), "{}", owed.message.zh);
    // The rule ran once per element.
    let runs = d
        .trace
        .iter()
        .filter(|t| t.rule == "required_if" && t.material.as_deref() == Some("guardian-consent"));
    assert_eq!(runs.count(), 3);
    // The notice of the application owes that one only; the wizard lists that one only.
    let notice = c.notice_for(&s, date);
    let keys: Vec<&str> = notice.materials.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, ["guardian-consent[1]"]);
    let mut w = onething::Wizard::new(&c, None, Some(date));
    w.set("company.name", json!("某公司")).unwrap();
    w.set("shareholders", json!([li(), minor, zhou()])).unwrap();
    let consents = |w: &onething::Wizard<'_>| -> Vec<String> {
        w.state().materials.iter().map(|m| m.id.clone()).filter(|id| id.starts_with("guardian")).collect()
    };
    assert_eq!(consents(&w), ["guardian-consent[1]"]);
    // A set on the third row making him a minor too: his consent is needed, as fresh.
    w.set_cell("shareholders", 2, "id_number", json!("231004201003011236")).unwrap();
    assert_eq!(consents(&w), ["guardian-consent[1]", "guardian-consent[2]"]);
    // Provided, it is settled.
    s.materials.insert("guardian-consent[1]".into(), onething::MaterialStatus::Provided);
    assert_eq!(c.evaluate(&s, date).items[0].outcome, Outcome::Accepted);
    // An element the rule cannot decide on: the item waits for an official, naming him.
    let mut bad = s.clone();
    bad.values["shareholders"][0] = json!({"name": "无号"});
    let mut b = with_guardian_consent();
    b["items"][0]["materials"][2]["required_if"]["script"] = json!("id_age(element.id_number, today) < 18");
    let d = compiled(b).evaluate(&bad, date);
    assert_eq!(d.items[0].outcome, Outcome::ManualReview, "{:?}", d.items[0]);
    assert!(d.items[0].reasons[0].message.zh.contains("第1位股东的监护人同意书"), "{:?}", d.items[0].reasons);
    // Its list must be one of the form's, reported once, at the material.
    let mut b = with_guardian_consent();
    b["items"][0]["materials"][2]["for_each"] = json!("sharehlders");
    let p = problems(b);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].bundle_pointer(), Some("/items/0/materials/2/for_each"));
    assert!(p[0].to_string().contains("did you mean `shareholders`"), "{}", p[0]);
}

#[test]
fn a_set_on_one_row_reruns_only_what_runs_on_that_row() {
    // A rule, a check and a derive rule on each element, over 20 shareholders.
    let mut b = gender_checked(json!(["shareholders[].gender", "shareholders[].id_number"]));
    b["items"][0]["eligibility"] = adults_only("shareholders")["items"][0]["eligibility"].clone();
    b["derive"] = json!([{"key": "shareholders[].birth_date",
        "script": "let d = id_birth_date(element.id_number); if d == () { () } else { `${d}` }"}]);
    let c = compiled(b);
    let mut w = onething::Wizard::new(&c, None, Some("2026-12-07".parse().unwrap()));
    let rows: Vec<Value> = (0..20)
        .map(|n| {
            let mut row = if n % 2 == 0 { li() } else { zhou() };
            row["name"] = json!(format!("股东{n}"));
            row.as_object_mut().unwrap().remove("birth_date");
            row
        })
        .collect();
    w.set("shareholders", Value::Array(rows)).unwrap();
    assert!(w.state().warnings.is_empty());
    let before = w.rules_run();
    assert!(before >= 60, "each of the three rules ran on each row: {before}");
    // Unchanged: nothing runs again.
    w.state();
    assert_eq!(w.rules_run(), before);
    // Row 10's ID number: the derive rule, the rule and the check run on row 10 only.
    w.set_cell("shareholders", 10, "id_number", json!("231004201003011236")).unwrap();
    let state = w.state();
    assert_eq!(w.rules_run() - before, 3, "only row 10's runs");
    let warnings: Vec<&str> = state.warnings.iter().map(|x| x.message.zh.as_str()).collect();
    assert_eq!(warnings, ["第11位股东：不符合：自然人股东年满18周岁"]);
    // A value every element's rules read through `form` would rerun them all; a row's
    // move reruns the rows whose element or index changed.
    let before = w.rules_run();
    w.move_row("shareholders", 10, 11).unwrap();
    let state = w.state();
    assert_eq!(w.rules_run() - before, 6, "rows 10 and 11, three rules each");
    let warnings: Vec<&str> = state.warnings.iter().map(|x| x.message.zh.as_str()).collect();
    assert_eq!(warnings, ["第12位股东：不符合：自然人股东年满18周岁"]);
}

#[test]
fn the_wizard_sets_a_material_of_each_element_per_element_and_says_so_when_named_without() {
    let c = compiled(with_id_cards());
    let mut w = onething::Wizard::new(&c, None, Some("2026-12-07".parse().unwrap()));
    w.set("shareholders", json!([li(), zhou()])).unwrap();
    w.set_material("shareholder-id[1]", Some(onething::MaterialStatus::Provided)).unwrap();
    let e = w.set_material("shareholder-id", Some(onething::MaterialStatus::Provided)).unwrap_err();
    assert_eq!(
        e,
        onething::wizard::WizardError::UnknownMaterial {
            id: "shareholder-id".into(),
            suggestion: Some("shareholder-id[0]".into())
        }
    );
}
