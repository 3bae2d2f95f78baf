//! The one-time notice (一次告知): the one standard guide of the whole bundle.
//!
//! Instead of one guide per department, the applicant reads **one** notice: the title, the
//! lead and cooperating departments, the legal bases, who may apply and the conditions (the
//! eligibility rules' titles), **one** merged materials list — a material several items ask
//! for is listed once under its reuse key, with the items needing it, whether it is primary
//! or secondary, tolerable (容缺), replaceable by a signed commitment (告知承诺), and which
//! data sources make an upload unnecessary — the process stages (并联审批), the bundle's
//! committed time limit against the sum of the separate items' limits, fees, channels and
//! the enquiry contact.
//!
//! [`CompiledBundle::notice`] gives the general notice; [`CompiledBundle::notice_for`] the
//! notice for one applicant's situation: only the items applying to their submission, only
//! the materials they still owe (with the deadline of tolerated ones), and how each item
//! stands. A [`Notice`] is structured data (JSON schema `schemas/notice.schema.json`),
//! rendered to Markdown ([`Notice::to_markdown`]) and self-contained HTML
//! ([`Notice::to_html`]) in either language. Renderers escape every string the bundle
//! supplies: a title such as `<script>` renders as text.
//!
//! ```
//! use onething::{load, CompiledBundle, Lang};
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/restaurant-opening");
//! let compiled = CompiledBundle::compile(load::load_dir(&dir)?)?;
//! let notice = compiled.notice();
//! // The business licence is asked for by all five items, and listed once.
//! let licence = notice.materials.iter().find(|m| m.key == "business-licence").unwrap();
//! assert_eq!(licence.uses.len(), 5);
//! assert_eq!(notice.time_limit.committed_days, Some(11));
//! assert_eq!(notice.time_limit.sum_of_items_days, Some(31));
//! assert!(notice.to_markdown(Lang::Zh).contains("一次告知"));
//! assert!(notice.to_html(Lang::En).starts_with("<!DOCTYPE html>"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod html;
mod layout;
mod markdown;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::base::date::Date;
use crate::base::text::{Lang, Text};
use crate::compile::CompiledBundle;
use crate::model::bundle::{Bundle, DayCount, ItemIx, MaterialKind, Period};
use crate::model::decision::{Decision, DeficiencyKind, Obligation, Outcome};
use crate::model::submission::{MaterialStatus, Submission};
use crate::report::plan::{self, Plan, StartsOn, TimeLimit};
use crate::run::evaluate::EvalOptions;

/// The one-time notice of a bundle (or of one application).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Notice {
    /// The bundle's id.
    pub bundle: String,
    /// The bundle's version.
    pub version: String,
    /// The thing's title.
    pub title: Text,
    /// What it covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// The lead department: it accepts the application and delivers the results.
    pub lead: DepartmentEntry,
    /// The cooperating departments, in bundle order.
    pub cooperating: Vec<DepartmentEntry>,
    /// Who may apply (申请对象).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicants: Option<Text>,
    /// Conditions (申请条件): the eligibility rules of the bundle and of its items.
    pub conditions: Vec<ConditionEntry>,
    /// The items (办理事项), in bundle order.
    pub items: Vec<NoticeItem>,
    /// Legal bases (设定依据), each listed once with the items resting on it.
    pub legal_basis: Vec<BasisEntry>,
    /// The one merged materials list, by reuse key, in order of first appearance. In a
    /// notice for one application: only the materials still owed.
    pub materials: Vec<NoticeMaterial>,
    /// The process (办理流程): acceptance, the parallel stages, delivery.
    pub process: Vec<ProcessStep>,
    /// Time limits (办理时限): committed, critical path, sum of the separate items'.
    pub time_limit: TimeLimit,
    /// Fees (收费标准).
    pub fees: Fees,
    /// Channels (办理渠道).
    pub channels: Vec<Text>,
    /// Enquiry contact (咨询方式).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enquiry: Option<Text>,
    /// For a notice of one application: where it stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub situation: Option<Situation>,
    /// Things worth knowing (a missing time limit, a committed limit shorter than the
    /// critical path…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Text>,
}

/// A department in the notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DepartmentEntry {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: Text,
    /// Its enquiry telephone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The items it handles.
    pub items: Vec<String>,
}

/// A condition for applying.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConditionEntry {
    /// The rule's id.
    pub rule: String,
    /// The condition in words (the rule's title).
    pub title: Text,
    /// The item it belongs to; none for a condition of the whole bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

/// An item in the notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NoticeItem {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: Text,
    /// Its department's id.
    pub department: String,
    /// Its committed time limit in working days, if the bundle gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_days: Option<u32>,
    /// The applicant chooses whether to apply for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// It applies only in this situation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Text>,
    /// Its stage in the process (1-based).
    pub stage: u32,
    /// It is handled only from the date the applicant gives in this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<StartsOn>,
    /// It is handled only once what these items oblige is paid (the plan item's
    /// `after_payment`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_payment: Vec<String>,
}

/// A legal basis, listed once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BasisEntry {
    /// The basis (law, regulation, article).
    pub text: Text,
    /// The items resting on it.
    pub items: Vec<String>,
}

/// How far a property of a material holds across the items needing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Extent {
    /// For every item needing the material.
    All,
    /// For some of them only (see the material's `uses`).
    Partly,
    /// For none.
    Never,
}

impl Extent {
    fn of(flags: impl Iterator<Item = bool>) -> Extent {
        let (mut yes, mut no) = (false, false);
        for f in flags {
            if f { yes = true } else { no = true }
        }
        match (yes, no) {
            (true, false) => Extent::All,
            (true, true) => Extent::Partly,
            (false, _) => Extent::Never,
        }
    }
}

/// One material of the merged list: one copy serves every item needing it (材料复用).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NoticeMaterial {
    /// The reuse key.
    pub key: String,
    /// Its title (the first item's).
    pub title: Text,
    /// Primary (主件) when any item needs it as primary, else secondary (辅件).
    pub kind: MaterialKind,
    /// May be missing at acceptance on a commitment to supply it (容缺受理).
    pub tolerable: Extent,
    /// A signed commitment can replace it (告知承诺).
    pub commitment: Extent,
    /// Needed whenever the items needing it apply; otherwise only under `conditions`.
    pub always: bool,
    /// When it is needed, if not always (the items' `required_if` titles).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Text>,
    /// A material of each element of a list (`for_each`), in the notice of the whole
    /// bundle: who hands one in (买受人各一份 / one for each of: Buyers). The notice of one
    /// application lists the elements' materials one by one instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<Text>,
    /// Data sources that satisfy it without an upload (电子证照, registries…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceEntry>,
    /// Each item asking for it, and how.
    pub uses: Vec<MaterialUse>,
    /// In a notice of one application: its status in the submission (none: not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MaterialStatus>,
    /// In a notice of one application: a tolerated material to supply by this date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supply_by: Option<String>,
    /// For a material some item tolerates: how long the applicant has to supply it (its
    /// own period, else the bundle's `supplement_days` working days; never beyond an
    /// item's committed time limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplement: Option<Period>,
    /// For a tolerated material with a cap (`supplement_until`): the title of the date of
    /// the form its deadline may not pass (开学日期 / the first day of term).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplement_until: Option<Text>,
}

/// One item's use of a material.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MaterialUse {
    /// The item.
    pub item: String,
    /// The material's id within the item.
    pub material: String,
    /// Primary or secondary for this item.
    pub kind: MaterialKind,
    /// Tolerable for this item.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tolerable: bool,
    /// Replaceable by commitment for this item.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub commitment: bool,
    /// Needed by this item only under this condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Text>,
}

/// A data source satisfying a material.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SourceEntry {
    /// The source's id.
    pub id: String,
    /// Its name, when the bundle declares the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
}

/// What a process step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// One window accepts everything (一窗受理).
    Accept,
    /// A stage of parallel handling (并联审批).
    Stage,
    /// Results delivered together (一次发证).
    Deliver,
}

/// One step of the process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProcessStep {
    /// 1-based number.
    pub step: u32,
    /// What kind of step.
    pub kind: StepKind,
    /// Its title.
    pub title: Text,
    /// What happens.
    pub description: Text,
    /// The items handled in it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// The departments working in it.
    pub departments: Vec<String>,
    /// How long it takes at most, in working days (a stage: its longest item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
}

/// Fees of the items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Fees {
    /// Every fee, item by item.
    pub items: Vec<FeeEntry>,
    /// Their sum in yuan (0: free of charge).
    pub total_yuan: f64,
}

/// One fee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FeeEntry {
    /// The item charging it.
    pub item: String,
    /// What is charged for.
    pub title: Text,
    /// Amount in yuan: the application's, or the standard one when `depends` is true.
    pub amount_yuan: f64,
    /// The amount depends on the application and is not known here (the general notice,
    /// or a form that does not give it): `amount_yuan` is the standard amount.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub depends: bool,
}

/// Where one application stands (the notice of one applicant's situation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Situation {
    /// The evaluation date (`YYYY-MM-DD`).
    pub date: String,
    /// The bundle's outcome.
    pub outcome: Outcome,
    /// Every item's outcome (`not_applicable` for those that do not apply), in bundle
    /// order.
    pub items: Vec<SituationItem>,
    /// Materials already settled (provided, shared, or replaced by an accepted commitment).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settled: Vec<SettledMaterial>,
    /// What to correct in the form (补正): the decision's field and consistency
    /// deficiencies, each once (the materials still owed are the notice's materials).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<Correction>,
}

/// Something in the form to correct: a field the form rejects, or fields that contradict
/// each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Correction {
    /// The canonical keys to correct.
    pub keys: Vec<String>,
    /// Their titles, in the same order.
    pub fields: Vec<Text>,
    /// What is wrong.
    pub message: Text,
    /// How to correct it.
    pub fix: Text,
}

/// An item's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SituationItem {
    /// The item.
    pub item: String,
    /// Its title.
    pub title: Text,
    /// Its outcome.
    pub outcome: Outcome,
    /// Why (failed rules…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Text>,
    /// What the accepted item obliges the applicant to do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<Obligation>,
    /// The date from which it is handled (`YYYY-MM-DD`), for an item that waits for a
    /// date of the form (`starts_on`) given in the application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<String>,
    /// The items of its `after_payment_of` that oblige the applicant to something in this
    /// decision: it is handled once that is paid (an exempt buyer owes nothing, and waits
    /// for nothing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_payment: Vec<String>,
}

/// A material the applicant no longer owes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SettledMaterial {
    /// The reuse key.
    pub key: String,
    /// Its title.
    pub title: Text,
    /// How it was settled.
    pub status: MaterialStatus,
}

impl CompiledBundle {
    /// The notice of the whole bundle: every item, every material.
    pub fn notice(&self) -> Notice {
        let all: Vec<ItemIx> = self.items.indices().collect();
        let uses = all_uses(&self.bundle, &all);
        let plan = plan::build(&self.bundle, &self.graph, &all);
        let mut notice = build(&self.bundle, &all, &plan, uses);
        for m in &mut notice.materials {
            m.each = self.for_each_of(&m.key).and_then(|list| self.keys.get(list)).map(|info| {
                Text::new(format!("{}各一份", info.title.zh), format!("one for each of: {}", info.title.en))
            });
        }
        self.supplement_caps(&mut notice);
        notice
    }

    /// Names, on each tolerated material with a cap (`supplement_until`), the date of the
    /// form its deadline may not pass: the field's title, else its derive rule's, else the key.
    fn supplement_caps(&self, notice: &mut Notice) {
        for m in notice.materials.iter_mut().filter(|m| m.supplement.is_some()) {
            let base = m.key.split('[').next().unwrap_or(&m.key);
            let materials = self.bundle.items.iter().flat_map(|i| &i.materials);
            let Some(key) =
                materials.filter(|x| x.reuse_key() == base).find_map(|x| x.supplement_until.as_deref())
            else {
                continue;
            };
            let derived = self.bundle.derive.iter().find(|d| d.key == key).and_then(|d| d.title.clone());
            let title = self.keys.get(key).map(|info| info.title.clone()).or(derived);
            let title = title.unwrap_or_else(|| Text::new(key, key));
            m.supplement_until = Some(title);
        }
    }

    /// The notice of one applicant's situation on a date: only the items applying to the
    /// submission, only the materials still owed (missing, tolerated until a date, or a
    /// commitment that cannot be accepted), and each item's outcome.
    pub fn notice_for(&self, s: &Submission, date: Date) -> Notice {
        self.notice_for_with(s, date, &EvalOptions::default())
    }

    /// [`CompiledBundle::notice_for`] with explicit evaluation options.
    pub fn notice_for_with(&self, s: &Submission, date: Date, opts: &EvalOptions) -> Notice {
        let decision = self.decide(s, date, opts, true);
        let mut applicable: Vec<ItemIx> = decision
            .items
            .iter()
            .filter(|d| d.outcome != Outcome::NotApplicable)
            .filter_map(|d| self.items.find(&d.item))
            .collect();
        applicable.sort_unstable();
        applicable.dedup();
        // A material of each element is required once per element: one use per item here.
        let mut required: Vec<(ItemIx, usize)> = decision.required.iter().map(|(i, j, _)| (*i, *j)).collect();
        required.sort_unstable();
        required.dedup();
        let required: Vec<Use> =
            required.into_iter().map(|(item, material)| Use { item, material }).collect();
        let plan = plan::build(&self.bundle, &self.graph, &applicable);
        let mut notice = build(&self.bundle, &applicable, &plan, required);
        let keys: Vec<&str> = decision.required.iter().map(|(.., key)| key.as_str()).collect();
        self.per_element(&mut notice, s, &keys);
        self.supplement_caps(&mut notice);
        let settled = owed_only(&mut notice, s, &decision);
        // The dates items wait for and the fees that depend on the application, derived
        // ones included (a retirement date computed from the birth date), read only when
        // some item has one.
        let reads = self
            .bundle
            .items
            .iter()
            .any(|i| i.starts_on.is_some() || i.fees.iter().any(|f| f.amount_from.is_some()));
        let p = reads.then(|| self.prepare(s, Some(date), opts, false));
        let number_of = |key: &str| p.as_ref()?.get(key)?.as_f64().filter(|n| n.is_finite() && *n >= 0.0);
        self.charge(&mut notice, number_of);
        let date_of = |key: &str| {
            let text = p.as_ref()?.get(key)?.as_str()?.to_owned();
            text.parse::<Date>().ok().map(|d| d.to_string())
        };
        let mut situation = situation(&self.bundle, date_of, &decision, settled);
        situation.corrections = self.corrections(&decision);
        notice.situation = Some(situation);
        notice
    }
}

impl CompiledBundle {
    /// Sets each fee that depends on the application (`amount_from`) to the application's
    /// amount, `number_of` its key's value, and the total again. A fee whose key holds no
    /// number keeps its standard amount and stays marked as depending on the application.
    fn charge(&self, notice: &mut Notice, number_of: impl Fn(&str) -> Option<f64>) {
        let declared = self.bundle.items.iter().flat_map(|i| i.fees.iter().map(move |f| (&i.id, f)));
        let mut declared: Vec<_> = declared.collect();
        for entry in notice.fees.items.iter_mut().filter(|e| e.depends) {
            let at = declared.iter().position(|(item, f)| **item == entry.item && f.title == entry.title);
            let Some((_, fee)) = at.map(|n| declared.remove(n)) else { continue };
            if let Some(amount) = fee.amount_from.as_deref().and_then(&number_of) {
                entry.amount_yuan = amount;
                entry.depends = false;
            }
        }
        notice.fees.total_yuan = notice.fees.items.iter().map(|e| e.amount_yuan).sum();
    }

    /// A material of each element of a list (`for_each`) listed once per element of the
    /// submission's list that requires it (`required`: reuse keys), under its key and the
    /// element's index (`id-card[1]`, 第2位股东的身份证).
    fn per_element(&self, notice: &mut Notice, s: &Submission, required: &[&str]) {
        let mut out = Vec::with_capacity(notice.materials.len());
        for m in std::mem::take(&mut notice.materials) {
            let Some(list) = self.for_each_of(&m.key) else {
                out.push(m);
                continue;
            };
            let rows = s.values.get(list).and_then(serde_json::Value::as_array).map_or(0, Vec::len);
            for n in 0..rows {
                let key = format!("{}[{n}]", m.key);
                if !required.contains(&key.as_str()) {
                    continue;
                }
                let mut element = m.clone();
                element.key = key;
                element.title = self.element_title(list, n, &m.title);
                out.push(element);
            }
        }
        notice.materials = out;
    }

    /// The list whose every element hands in the material of reuse key `key`, if any.
    fn for_each_of(&self, key: &str) -> Option<&str> {
        let materials = self.bundle.items.iter().flat_map(|i| &i.materials);
        materials.filter(|x| x.reuse_key() == key).find_map(|x| x.for_each.as_deref())
    }
}

/// One (item, material) pair, by index.
#[derive(Clone, Copy)]
struct Use {
    item: ItemIx,
    material: usize,
}

fn all_uses(bundle: &Bundle, items: &[ItemIx]) -> Vec<Use> {
    items
        .iter()
        .flat_map(|&i| (0..i.declared(bundle).materials.len()).map(move |j| Use { item: i, material: j }))
        .collect()
}

fn some_condition() -> Text {
    Text::new("特定情形下", "in certain cases")
}

/// The notice of the `included` items, listing the materials of `uses`.
fn build(bundle: &Bundle, included: &[ItemIx], plan: &Plan, uses: Vec<Use>) -> Notice {
    let items: Vec<&crate::model::bundle::Item> = included.iter().map(|&i| i.declared(bundle)).collect();
    let department = |d: &crate::model::bundle::Department| DepartmentEntry {
        id: d.id.clone(),
        name: d.name.clone(),
        phone: d.phone.clone(),
        items: items.iter().filter(|i| i.department == d.id).map(|i| i.id.clone()).collect(),
    };
    let lead = bundle.departments.iter().find(|d| d.id == bundle.lead).map_or_else(
        || DepartmentEntry {
            id: bundle.lead.clone(),
            name: Text::new(&bundle.lead, &bundle.lead),
            phone: None,
            items: Vec::new(),
        },
        department,
    );
    let cooperating: Vec<DepartmentEntry> = bundle
        .departments
        .iter()
        .filter(|d| d.id != bundle.lead && items.iter().any(|i| i.department == d.id))
        .map(department)
        .collect();

    let mut conditions: Vec<ConditionEntry> = bundle
        .rules
        .iter()
        .map(|r| ConditionEntry { rule: r.id.clone(), title: r.title.clone(), item: None })
        .collect();
    for item in &items {
        for r in &item.eligibility {
            conditions.push(ConditionEntry {
                rule: r.id.clone(),
                title: r.title.clone(),
                item: Some(item.id.clone()),
            });
        }
    }

    let notice_items: Vec<NoticeItem> = items
        .iter()
        .map(|item| {
            let planned = plan.items.iter().find(|p| p.id == item.id);
            NoticeItem {
                after_payment: planned.map(|p| p.after_payment.clone()).unwrap_or_default(),
                id: item.id.clone(),
                title: item.title.clone(),
                department: item.department.clone(),
                time_limit_days: item.time_limit_days,
                optional: item.optional,
                condition: item.applies_if.as_ref().map(|c| c.title.clone().unwrap_or_else(some_condition)),
                stage: planned.map_or(1, |p| p.stage),
                starts_on: StartsOn::of(bundle, item),
            }
        })
        .collect();

    let mut legal_basis: Vec<BasisEntry> = Vec::new();
    for item in &items {
        for basis in &item.legal_basis {
            match legal_basis.iter_mut().find(|b| &b.text == basis) {
                Some(b) => {
                    if !b.items.contains(&item.id) {
                        b.items.push(item.id.clone());
                    }
                }
                None => legal_basis.push(BasisEntry { text: basis.clone(), items: vec![item.id.clone()] }),
            }
        }
    }

    let materials = merge_materials(bundle, &uses);
    let process = process(bundle, plan);
    let mut fees = Vec::new();
    for item in &items {
        for f in &item.fees {
            fees.push(FeeEntry {
                item: item.id.clone(),
                title: f.title.clone(),
                amount_yuan: f.amount_yuan,
                depends: f.amount_from.is_some(),
            });
        }
    }
    let total_yuan = fees.iter().map(|f| f.amount_yuan).sum();
    let info = bundle.notice.clone().unwrap_or_default();
    Notice {
        bundle: bundle.id.clone(),
        version: bundle.version.clone(),
        title: bundle.title.clone(),
        description: bundle.description.clone(),
        lead,
        cooperating,
        applicants: info.applicants,
        conditions,
        items: notice_items,
        legal_basis,
        materials,
        process,
        time_limit: plan.time_limit.clone(),
        fees: Fees { items: fees, total_yuan },
        channels: info.channels,
        enquiry: info.enquiry,
        situation: None,
        notes: plan.notes.clone(),
    }
}

/// One entry per reuse key, in order of first use.
fn merge_materials(bundle: &Bundle, uses: &[Use]) -> Vec<NoticeMaterial> {
    let mut by_key: IndexMap<&str, Vec<(&crate::model::bundle::Item, &crate::model::bundle::Material)>> =
        IndexMap::new();
    for u in uses {
        let item = u.item.declared(bundle);
        let Some(m) = item.materials.get(u.material) else { continue };
        by_key.entry(m.reuse_key()).or_default().push((item, m));
    }
    by_key
        .into_iter()
        .filter_map(|(key, list)| {
            let (_, first) = list.first()?;
            let mut conditions: Vec<Text> = Vec::new();
            for (_, m) in &list {
                if let Some(c) = &m.required_if {
                    let t = c.title.clone().unwrap_or_else(some_condition);
                    if !conditions.contains(&t) {
                        conditions.push(t);
                    }
                }
            }
            let always = list.iter().any(|(_, m)| m.required_if.is_none());
            if always {
                conditions.clear();
            }
            let mut sources: Vec<SourceEntry> = Vec::new();
            let mut add = |id: &str| {
                if !sources.iter().any(|s| s.id == id) {
                    sources.push(SourceEntry { id: id.to_owned(), title: source_title(bundle, id) });
                }
            };
            for (_, m) in &list {
                for s in &m.sources {
                    add(s);
                }
            }
            for s in bundle.sources.iter().filter(|s| s.materials.iter().any(|k| k == key)) {
                add(&s.id);
            }
            Some(NoticeMaterial {
                key: key.to_owned(),
                title: first.title.clone(),
                kind: if list.iter().any(|(_, m)| m.kind == MaterialKind::Primary) {
                    MaterialKind::Primary
                } else {
                    MaterialKind::Secondary
                },
                tolerable: Extent::of(
                    list.iter().map(|(_, m)| m.tolerable && m.kind == MaterialKind::Secondary),
                ),
                commitment: Extent::of(list.iter().map(|(_, m)| m.commitment)),
                always,
                conditions,
                each: None,
                sources,
                uses: list
                    .iter()
                    .map(|(item, m)| MaterialUse {
                        item: item.id.clone(),
                        material: m.id.clone(),
                        kind: m.kind,
                        tolerable: m.tolerable && m.kind == MaterialKind::Secondary,
                        commitment: m.commitment,
                        condition: m
                            .required_if
                            .as_ref()
                            .map(|c| c.title.clone().unwrap_or_else(some_condition)),
                    })
                    .collect(),
                status: None,
                supply_by: None,
                supplement: supplement_period(bundle, &list),
                supplement_until: None,
            })
        })
        .collect()
}

/// The name of what satisfies a material without an upload: a declared source's title, or
/// for `evidence:<e>` the evidence's title (`evidence` of the bundle), else the result of the
/// item producing it.
fn source_title(bundle: &Bundle, id: &str) -> Option<Text> {
    let Some(evidence) = id.strip_prefix("evidence:") else {
        return bundle.sources.iter().find(|s| s.id == id).map(|s| s.title.clone());
    };
    if let Some(title) = bundle.evidence.get(evidence) {
        return Some(title.clone());
    }
    let producer = bundle.items.iter().find(|i| i.produces.iter().any(|e| e == evidence))?;
    Some(Text::new(
        format!("{}的办理结果", producer.title.zh),
        format!("the result of {}", producer.title.en),
    ))
}

/// How long a material some item tolerates may come later: its own period (the first use
/// giving one), else the bundle's working days; a period in working days is shortened to the
/// shortest committed time limit of the items tolerating it (a deadline never passes one).
fn supplement_period(
    bundle: &Bundle,
    uses: &[(&crate::model::bundle::Item, &crate::model::bundle::Material)],
) -> Option<Period> {
    let tolerating: Vec<_> =
        uses.iter().filter(|(_, m)| m.tolerable && m.kind == MaterialKind::Secondary).collect();
    if tolerating.is_empty() {
        return None;
    }
    let own = tolerating.iter().find_map(|(_, m)| m.supplement);
    let mut period = own.unwrap_or_else(|| Period::default_for(&bundle.acceptance));
    if period.count == DayCount::Working {
        let shortest = tolerating.iter().filter_map(|(item, _)| item.time_limit_days).min();
        period.days = shortest.map_or(period.days, |l| period.days.min(l));
    }
    Some(period)
}

fn names(bundle: &Bundle, ids: &[String], lang: Lang) -> String {
    // Names may hold commas (en) but not semicolons.
    let sep = match lang {
        Lang::Zh => "、",
        Lang::En => "; ",
    };
    ids.iter()
        .map(|id| {
            bundle
                .departments
                .iter()
                .find(|d| &d.id == id)
                .map_or(id.as_str(), |d| d.name.get(lang))
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join(sep)
}

fn titles(bundle: &Bundle, ids: &[String], lang: Lang) -> String {
    // Item titles often hold 、 (zh) or commas (en).
    let sep = match lang {
        Lang::Zh => "；",
        Lang::En => "; ",
    };
    ids.iter()
        .map(|id| {
            bundle.items.iter().find(|i| &i.id == id).map_or(id.as_str(), |i| i.title.get(lang)).to_owned()
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// Acceptance at one window, the plan's stages, delivery together.
fn process(bundle: &Bundle, plan: &Plan) -> Vec<ProcessStep> {
    let lead = vec![bundle.lead.clone()];
    let lead_zh = names(bundle, &lead, Lang::Zh);
    let lead_en = names(bundle, &lead, Lang::En);
    let mut steps = vec![ProcessStep {
        step: 1,
        kind: StepKind::Accept,
        title: Text::new("一窗受理", "One window accepts"),
        description: Text::new(
            format!("{lead_zh}统一受理申请表和全部材料；材料不全的，一次性告知需补正的全部内容。"),
            format!(
                "The {lead_en} accepts the one application form and every material; when something is missing, the applicant is told everything to correct at once."
            ),
        ),
        items: Vec::new(),
        departments: lead.clone(),
        days: None,
    }];
    for s in &plan.stages {
        let parallel = s.items.len() > 1;
        let title = plan::stage_text(s.stage);
        let (zh, en) = if s.items.len() > 1 {
            (
                format!(
                    "{}同时办理：{}。",
                    names(bundle, &s.departments, Lang::Zh),
                    titles(bundle, &s.items, Lang::Zh)
                ),
                format!(
                    "In parallel, {} handle: {}.",
                    names(bundle, &s.departments, Lang::En),
                    titles(bundle, &s.items, Lang::En)
                ),
            )
        } else {
            (
                format!(
                    "{}办理：{}。",
                    names(bundle, &s.departments, Lang::Zh),
                    titles(bundle, &s.items, Lang::Zh)
                ),
                format!(
                    "{} handles: {}.",
                    names(bundle, &s.departments, Lang::En),
                    titles(bundle, &s.items, Lang::En)
                ),
            )
        };
        steps.push(ProcessStep {
            step: u32::try_from(steps.len()).unwrap_or(u32::MAX).saturating_add(1),
            kind: StepKind::Stage,
            title: Text::new(
                format!("{}：{}", title.zh, if parallel { "并联审批" } else { "办理" }),
                format!("{}: {}", title.en, if parallel { "parallel approval" } else { "handling" }),
            ),
            description: Text::new(zh, en),
            items: s.items.clone(),
            departments: s.departments.clone(),
            days: s.longest_days,
        });
    }
    steps.push(ProcessStep {
        step: u32::try_from(steps.len()).unwrap_or(u32::MAX).saturating_add(1),
        kind: StepKind::Deliver,
        title: Text::new("一次发证", "Results delivered together"),
        description: Text::new(
            format!("{lead_zh}汇总各部门办理结果，纸质证照和电子证照一次送达申请人。"),
            format!(
                "The {lead_en} gathers every department's result and delivers the certificates and e-licences to the applicant at once."
            ),
        ),
        items: Vec::new(),
        departments: lead,
        days: None,
    });
    steps
}

/// Keeps only the materials still owed; returns the ones settled.
fn owed_only(notice: &mut Notice, s: &Submission, decision: &Decision) -> Vec<SettledMaterial> {
    let mut settled = Vec::new();
    notice.materials.retain_mut(|m| {
        let status = s.materials.get(&m.key).copied();
        let accepted_commitment = decision.items.iter().any(|d| d.on_commitment.iter().any(|k| k == &m.key));
        let done = match status {
            Some(MaterialStatus::Provided | MaterialStatus::Shared) => true,
            Some(MaterialStatus::Committed) => accepted_commitment,
            Some(MaterialStatus::Missing) | None => false,
        };
        if let (true, Some(status)) = (done, status) {
            settled.push(SettledMaterial { key: m.key.clone(), title: m.title.clone(), status });
            return false;
        }
        m.status = status;
        m.supply_by = decision.supplements.iter().find(|x| x.material == m.key).map(|x| x.by.clone());
        true
    });
    settled
}

/// `situation`'s items name the date an item waits for with `date_of(key)`.
fn situation(
    bundle: &Bundle,
    date_of: impl Fn(&str) -> Option<String>,
    decision: &Decision,
    settled: Vec<SettledMaterial>,
) -> Situation {
    // Bundle order, whatever the decision's order.
    let items = bundle
        .items
        .iter()
        .filter_map(|item| {
            let d = decision.items.iter().find(|d| d.item == item.id)?;
            Some(SituationItem {
                item: item.id.clone(),
                title: item.title.clone(),
                outcome: d.outcome,
                reasons: d.reasons.iter().map(|r| r.message.clone()).collect(),
                obligations: d.obligations.clone(),
                starts_on: item.starts_on.as_ref().and_then(|key| date_of(key)),
                after_payment: item
                    .after_payment_of
                    .iter()
                    .filter(|id| decision.items.iter().any(|x| &x.item == *id && !x.obligations.is_empty()))
                    .cloned()
                    .collect(),
            })
        })
        .collect();
    Situation {
        date: decision.date.clone(),
        outcome: decision.outcome,
        items,
        settled,
        corrections: Vec::new(),
    }
}

impl CompiledBundle {
    /// The form's deficiencies of a decision (fields and consistency checks), with the
    /// titles of the fields to correct.
    fn corrections(&self, decision: &Decision) -> Vec<Correction> {
        let form = decision.deficiencies.iter().filter(|d| d.kind != DeficiencyKind::Material);
        form.map(|d| {
            let keys: Vec<String> =
                if d.keys.is_empty() { d.key.iter().cloned().collect() } else { d.keys.clone() };
            let fields = keys
                .iter()
                .map(|k| self.keys.get(k).map_or_else(|| Text::new(k, k), |info| info.title.clone()))
                .collect();
            Correction { keys, fields, message: d.message.clone(), fix: d.fix.clone() }
        })
        .collect()
    }
}

impl Notice {
    /// The notice as Markdown (CommonMark with GitHub tables). Every string from the bundle
    /// is escaped: it cannot start a block, close a table cell or carry raw HTML.
    pub fn to_markdown(&self, lang: Lang) -> String {
        markdown::render(&layout::layout(self, lang))
    }

    /// The notice as one self-contained HTML page (inline style, no script, no external
    /// resource). Every string from the bundle is escaped.
    pub fn to_html(&self, lang: Lang) -> String {
        html::render(&layout::layout(self, lang), lang)
    }
}
