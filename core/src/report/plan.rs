//! The process plan (一个流程 / 并联审批): which items wait for which, what runs in parallel,
//! and how long the whole thing takes.
//!
//! Items are re-ordered by their real dependencies only: an item waits for the items it
//! names in `depends_on`, and for every item producing evidence it `consumes` (the newborn's
//! Birth Medical Certificate feeds household registration). Everything else runs in
//! parallel. A [`Plan`] holds:
//!
//! * the dependency graph ([`Edge`]s, each saying why it exists);
//! * **stages**: topological levels — every item of a stage can start as soon as the
//!   previous stages are done, all of them at once;
//! * the **critical path**: the longest chain of committed time limits, in working days —
//!   the time limit of the whole thing when departments work in parallel, against the sum of
//!   the separate limits when each item is handled one after another. An item without a
//!   committed time limit makes the total unknown; the plan says which items and gives the
//!   lower bound;
//! * per department, what it does in which stage.
//!
//! The graph is the compiled bundle's one item graph (built once at compile); a
//! dependency cycle is a compile error naming the cycle, so a compiled bundle always has a
//! plan. The plan exports as
//! JSON (serde; schema `schemas/plan.schema.json`), Mermaid ([`Plan::to_mermaid`]) and
//! Graphviz DOT ([`Plan::to_dot`]).
//!
//! ```
//! use onething::{load, CompiledBundle, Lang};
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/newborn");
//! let compiled = CompiledBundle::compile(load::load_dir(&dir)?)?;
//! let plan = compiled.plan();
//! // The birth certificate comes first; household registration waits for it.
//! assert_eq!(plan.stages[0].items, ["birth-medical-certificate", "vaccination-certificate"]);
//! assert_eq!(plan.time_limit.critical_path_days, Some(16));
//! assert_eq!(plan.time_limit.sum_of_items_days, Some(17));
//! assert!(plan.to_mermaid(Lang::En).starts_with("flowchart LR"));
//! assert!(plan.to_dot(Lang::Zh).starts_with("digraph"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Write as _;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::base::text::{Lang, Text};
use crate::compile::CompiledBundle;
use crate::compile::graph::{ItemGraph, topological};
use crate::compile::items::PerItem;
use crate::model::bundle::{Bundle, ItemIx};

/// The process plan of a bundle, or of the items applying to one application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// The bundle's id.
    pub bundle: String,
    /// The bundle's version.
    pub version: String,
    /// The bundle's title.
    pub title: Text,
    /// The lead department (it accepts the application and delivers the results).
    pub lead: String,
    /// The items in the plan, in bundle order.
    pub items: Vec<PlanItem>,
    /// Who waits for whom: `from` must be done before `to` starts.
    pub edges: Vec<Edge>,
    /// Parallel stages (topological levels), in order.
    pub stages: Vec<Stage>,
    /// Per department, what it does in which stage (departments in bundle order; the lead
    /// is listed even when it owns no item of the plan).
    pub departments: Vec<DepartmentPlan>,
    /// The time limit of the whole: critical path against the sum of the separate limits.
    pub time_limit: TimeLimit,
    /// Evidence some item consumes that no item of the plan produces: it must come from
    /// outside (the applicant, a registry).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_evidence: Vec<ExternalEvidence>,
    /// Titles of the evidence this plan names (edges and external evidence), from the
    /// bundle's `evidence`: the diagrams show them in place of the ids.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub evidence_titles: IndexMap<String, Text>,
    /// Things the reader should know (missing time limits, a committed limit shorter than
    /// the critical path…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Text>,
}

/// One item in the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanItem {
    /// The item's id.
    pub id: String,
    /// Its title.
    pub title: Text,
    /// Its department's id.
    pub department: String,
    /// The stage it belongs to (1-based).
    pub stage: u32,
    /// Its committed time limit in working days; none when the bundle gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_days: Option<u32>,
    /// The applicant chooses whether to apply for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// It applies only under this condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Text>,
    /// The items it waits for (direct predecessors), in bundle order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
    /// Working days after acceptance when it can start at the earliest; unknown when an
    /// item before it has no time limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_day: Option<u32>,
    /// Working days after acceptance when it is done at the latest; unknown when it or an
    /// item before it has no time limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_day: Option<u32>,
    /// It lies on the critical path (see [`TimeLimit::critical_path`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub critical: bool,
    /// It can be handled only from the date the applicant gives in this field (the item's
    /// `starts_on`): its stage and working days count from then, not from acceptance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<StartsOn>,
    /// It is handled only once the applicant has paid what these items of the plan oblige
    /// (the item's `after_payment_of`): its time limit counts from the payment, which the
    /// plan's working days do not include.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after_payment: Vec<String>,
}

/// "缴清「X」应缴款项后办理" / "handled once what is owed under X is paid", for the items
/// `titles` of an item's `after_payment_of`.
pub(crate) fn after_payment_text(titles: &[&Text]) -> Text {
    let zh: Vec<&str> = titles.iter().map(|t| t.zh.as_str()).collect();
    let en: Vec<&str> = titles.iter().map(|t| t.en.as_str()).collect();
    Text::new(
        format!("缴清「{}」应缴款项后办理", zh.join("」「")),
        format!("handled once what is owed under {} is paid", en.join(" and ")),
    )
}

/// A field of the form whose date an item waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StartsOn {
    /// The canonical key of the date field.
    pub key: String,
    /// The field's title.
    pub title: Text,
}

impl StartsOn {
    /// Item `item`'s date to wait for, if it names one.
    pub(crate) fn of(bundle: &Bundle, item: &crate::model::bundle::Item) -> Option<StartsOn> {
        let key = item.starts_on.as_ref()?;
        let title =
            bundle.fields.get(key).map_or_else(|| Text::new(key.clone(), key.clone()), |f| f.title.clone());
        Some(StartsOn { key: key.clone(), title })
    }

    /// "from the date in 「退休日期」" / "from the Retirement date".
    pub(crate) fn text(&self) -> Text {
        Text::new(format!("自「{}」之日起办理", self.title.zh), format!("handled from the {}", self.title.en))
    }
}

/// A dependency: `from` must be done before `to` starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Edge {
    /// The item that comes first.
    pub from: String,
    /// The item that waits.
    pub to: String,
    /// `to` names `from` in its `depends_on`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub depends_on: bool,
    /// Evidence `from` produces and `to` consumes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// For a plan of some items only: the left-out items through which `to` waits for
    /// `from` (the dependency is kept, transitively).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
}

/// A parallel stage: its items start together once the previous stages are done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Stage {
    /// 1-based number.
    pub stage: u32,
    /// Its items, in bundle order.
    pub items: Vec<String>,
    /// The departments working in it, in bundle order.
    pub departments: Vec<String>,
    /// The longest time limit of its items; unknown when one has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longest_days: Option<u32>,
}

/// What one department does, stage by stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DepartmentPlan {
    /// The department's id.
    pub department: String,
    /// Its name.
    pub name: Text,
    /// It is the lead department.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lead: bool,
    /// Its items per stage, in stage order (empty for a lead owning no item of the plan).
    pub work: Vec<DepartmentStage>,
}

/// A department's items in one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DepartmentStage {
    /// The stage (1-based).
    pub stage: u32,
    /// The department's items in it.
    pub items: Vec<String>,
}

/// How long the whole thing takes, in working days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TimeLimit {
    /// The time limit the bundle commits to (its notice), if it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_days: Option<u32>,
    /// Length of the critical path: the whole takes this long when departments work in
    /// parallel. Unknown when an item has no time limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_path_days: Option<u32>,
    /// The critical path is at least this long (items without a time limit count 0).
    pub at_least_days: u32,
    /// The items of the critical path, first to last (with an item without a time limit:
    /// of the path giving `at_least_days`). On a tie, the first in bundle order.
    pub critical_path: Vec<String>,
    /// The sum of the separate items' limits (each item handled one after another).
    /// Unknown when an item has no time limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum_of_items_days: Option<u32>,
    /// Items without a committed time limit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// Evidence consumed in the plan but produced by none of its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExternalEvidence {
    /// The evidence.
    pub evidence: String,
    /// The items consuming it.
    pub items: Vec<String>,
}

impl CompiledBundle {
    /// The process plan of every item of the bundle (optional and conditional ones
    /// included: they are marked).
    pub fn plan(&self) -> Plan {
        let all: Vec<ItemIx> = self.items.indices().collect();
        build(&self.bundle, &self.graph, &all)
    }

    /// The process plan of some items only (those applying to one application). An item
    /// waiting for a left-out item still waits for what that one waited for.
    pub fn plan_for(&self, item_ids: &[&str]) -> Result<Plan, crate::UnknownItem> {
        let mut included = Vec::new();
        for id in item_ids {
            let i = self.items.find(id).ok_or_else(|| crate::UnknownItem((*id).to_owned()))?;
            if !included.contains(&i) {
                included.push(i);
            }
        }
        included.sort_unstable();
        Ok(build(&self.bundle, &self.graph, &included))
    }
}

/// The plan of the `included` items (in bundle order).
pub(crate) fn build(bundle: &Bundle, graph: &ItemGraph, included: &[ItemIx]) -> Plan {
    let edges = edges_among(bundle, graph, included);
    let mut preds = graph.per_item(|_| Vec::new());
    for ((from, to), _) in &edges {
        preds.get_mut(*to).push(*from);
    }
    let order = topological(included, &preds);
    let stage = stage_numbers(&order, &preds);
    let schedule = Schedule::of(bundle, &order, &preds);
    let path = schedule.critical_path(included);
    let time_limit = time_limit(bundle, included, &schedule, &path);
    let items = plan_items(bundle, included, &preds, &stage, &schedule, &path);
    let stages = stages(bundle, &items);
    let departments = department_plans(bundle, &items, &stages);
    let external_evidence = external_evidence(bundle, included);
    let mut notes = notes(&time_limit, &external_evidence, bundle);
    notes.extend(items.iter().filter_map(|i| i.starts_on.as_ref().map(|from| waits_for_date(i, from))));
    notes.extend(items.iter().filter(|i| !i.after_payment.is_empty()).map(|i| waits_for_payment(i, &items)));
    let named =
        edges.iter().flat_map(|(_, e)| &e.evidence).chain(external_evidence.iter().map(|x| &x.evidence));
    let evidence_titles =
        named.filter_map(|id| bundle.evidence.get(id).map(|t| (id.clone(), t.clone()))).collect();
    Plan {
        evidence_titles,
        bundle: bundle.id.clone(),
        version: bundle.version.clone(),
        title: bundle.title.clone(),
        lead: bundle.lead.clone(),
        items,
        edges: edges.into_iter().map(|(_, e)| e).collect(),
        stages,
        departments,
        time_limit,
        external_evidence,
        notes,
    }
}

/// Item `i`'s id.
fn item_id(bundle: &Bundle, i: ItemIx) -> String {
    i.declared(bundle).id.clone()
}

/// Item `i`'s committed time limit in working days.
fn limit(bundle: &Bundle, i: ItemIx) -> Option<u32> {
    i.declared(bundle).time_limit_days
}

/// An edge of the plan, keyed by the items it joins, `(from, to)`.
type Keyed = ((ItemIx, ItemIx), Edge);

/// The edges between included items, keyed `(from, to)` and sorted by `to`, then `from`.
/// An included item waiting for a left-out one still waits for what that one waited for:
/// the edge names the left-out items it runs `via`. A direct edge also found indirectly
/// keeps only its direct reasons.
fn edges_among(bundle: &Bundle, graph: &ItemGraph, included: &[ItemIx]) -> Vec<Keyed> {
    let mut inside = graph.per_item(|_| false);
    for &i in included {
        *inside.get_mut(i) = true;
    }
    let mut edges: IndexMap<(ItemIx, ItemIx), Edge> = IndexMap::new();
    for &to in included {
        walk_back(bundle, graph, &inside, to, &mut edges);
    }
    for e in edges.values_mut() {
        if e.depends_on || !e.evidence.is_empty() {
            e.via.clear();
        }
    }
    let mut edges: Vec<Keyed> = edges.into_iter().collect();
    // The pairs are unique (map keys): an unstable sort gives the same order, with less code.
    edges.sort_unstable_by_key(|((from, to), _)| (*to, *from));
    edges
}

/// Adds the edges into `to`: breadth first from its predecessors, through left-out ones
/// (`inside` says which items are included), up to the first included item on each way.
fn walk_back(
    bundle: &Bundle,
    graph: &ItemGraph,
    inside: &PerItem<bool>,
    to: ItemIx,
    edges: &mut IndexMap<(ItemIx, ItemIx), Edge>,
) {
    let id = |i: ItemIx| item_id(bundle, i);
    let mut seen = HashSet::new();
    let mut queue: VecDeque<(ItemIx, Vec<ItemIx>)> =
        graph.preds(to).iter().map(|&p| (p, Vec::new())).collect();
    while let Some((from, via)) = queue.pop_front() {
        if !seen.insert(from) {
            continue;
        }
        if !*inside.get(from) {
            let mut through = via.clone();
            through.push(from);
            for &p in graph.preds(from) {
                queue.push_back((p, through.clone()));
            }
            continue;
        }
        let e = edges.entry((from, to)).or_insert_with(|| Edge {
            from: id(from),
            to: id(to),
            depends_on: false,
            evidence: Vec::new(),
            via: Vec::new(),
        });
        if via.is_empty() {
            if let Some(original) = graph.link(from, to) {
                e.depends_on = original.depends_on;
                e.evidence.clone_from(&original.evidence);
            }
        } else {
            for v in via {
                let v = id(v);
                if !e.via.contains(&v) {
                    e.via.push(v);
                }
            }
        }
    }
}

/// Each item's stage (1-based; 0 outside the plan): one more than the latest stage of its
/// predecessors, so that a stage's items can all start once the stages before it are done.
fn stage_numbers(order: &[ItemIx], preds: &PerItem<Vec<ItemIx>>) -> PerItem<u32> {
    let mut stage = preds.map(|_, _| 0u32);
    for &v in order {
        let s = preds.get(v).iter().map(|&p| *stage.get(p)).max().unwrap_or(0) + 1;
        *stage.get_mut(v) = s;
    }
    stage
}

/// Earliest start and finish of every item, in working days after acceptance; unknown
/// below an item without a time limit. Beside them, a lower bound counting unknown limits
/// as 0, and the predecessor it comes from, to trace the critical path back.
struct Schedule {
    start: PerItem<Option<u32>>,
    finish: PerItem<Option<u32>>,
    bound: PerItem<u32>,
    best_pred: PerItem<Option<ItemIx>>,
}

impl Schedule {
    /// Schedules the items in topological `order`.
    fn of(bundle: &Bundle, order: &[ItemIx], preds: &PerItem<Vec<ItemIx>>) -> Schedule {
        let mut s = Schedule {
            start: preds.map(|_, _| Some(0)),
            finish: preds.map(|_, _| Some(0)),
            bound: preds.map(|_, _| 0),
            best_pred: preds.map(|_, _| None),
        };
        for &v in order {
            let ps = preds.get(v);
            let start = ps.iter().try_fold(0u32, |acc, &p| s.finish.get(p).map(|f| acc.max(f)));
            *s.start.get_mut(v) = start;
            *s.finish.get_mut(v) = start.and_then(|st| limit(bundle, v).map(|l| st.saturating_add(l)));
            let (b, arg) = s.last_finishing(ps);
            *s.bound.get_mut(v) = b.saturating_add(limit(bundle, v).unwrap_or(0));
            *s.best_pred.get_mut(v) = arg;
        }
        s
    }

    /// Among `items`, the one finishing last by the lower bound (first in bundle order on a
    /// tie), with that bound; `(0, None)` for none.
    fn last_finishing(&self, items: &[ItemIx]) -> (u32, Option<ItemIx>) {
        let mut b = 0;
        let mut arg = None;
        for &p in items {
            let f = *self.bound.get(p);
            if arg.is_none() || f > b {
                b = f;
                arg = Some(p);
            }
        }
        (b, arg)
    }

    /// The critical path, first to last: back from the included item finishing last,
    /// through the predecessor finishing last each time.
    fn critical_path(&self, included: &[ItemIx]) -> Vec<ItemIx> {
        let (_, end) = self.last_finishing(included);
        let mut path = Vec::new();
        let mut cursor = end;
        while let Some(v) = cursor {
            if path.contains(&v) {
                break;
            }
            path.push(v);
            cursor = *self.best_pred.get(v);
        }
        path.reverse();
        path
    }
}

/// How long the whole takes: the critical path (known only when every item has a time
/// limit) against the sum of the separate limits and the bundle's committed limit.
fn time_limit(bundle: &Bundle, included: &[ItemIx], schedule: &Schedule, path: &[ItemIx]) -> TimeLimit {
    let (at_least, _) = schedule.last_finishing(included);
    let missing: Vec<String> =
        included.iter().filter(|&&i| limit(bundle, i).is_none()).map(|&i| item_id(bundle, i)).collect();
    TimeLimit {
        committed_days: bundle.notice.as_ref().and_then(|n| n.time_limit_days),
        critical_path_days: missing.is_empty().then_some(at_least),
        at_least_days: at_least,
        critical_path: path.iter().map(|&i| item_id(bundle, i)).collect(),
        sum_of_items_days: included
            .iter()
            .try_fold(0u32, |acc, &i| limit(bundle, i).map(|l| acc.saturating_add(l))),
        missing,
    }
}

/// The plan's items, in bundle order, with their stage, predecessors and schedule.
fn plan_items(
    bundle: &Bundle,
    included: &[ItemIx],
    preds: &PerItem<Vec<ItemIx>>,
    stage: &PerItem<u32>,
    schedule: &Schedule,
    path: &[ItemIx],
) -> Vec<PlanItem> {
    included
        .iter()
        .map(|&i| {
            let item = i.declared(bundle);
            PlanItem {
                id: item.id.clone(),
                title: item.title.clone(),
                department: item.department.clone(),
                stage: *stage.get(i),
                time_limit_days: item.time_limit_days,
                optional: item.optional,
                condition: item.applies_if.as_ref().and_then(|c| c.title.clone()),
                after: preds.get(i).iter().map(|&p| item_id(bundle, p)).collect(),
                start_day: *schedule.start.get(i),
                finish_day: *schedule.finish.get(i),
                critical: path.contains(&i),
                starts_on: StartsOn::of(bundle, item),
                after_payment: item
                    .after_payment_of
                    .iter()
                    .filter(|id| included.iter().any(|&j| j.declared(bundle).id == **id))
                    .cloned()
                    .collect(),
            }
        })
        .collect()
}

/// The parallel stages: each one's items, the departments working in it (in bundle order)
/// and its longest time limit.
fn stages(bundle: &Bundle, items: &[PlanItem]) -> Vec<Stage> {
    let stage_count = items.iter().map(|i| i.stage).max().unwrap_or(0);
    (1..=stage_count)
        .map(|s| {
            let members: Vec<&PlanItem> = items.iter().filter(|i| i.stage == s).collect();
            let departments: Vec<String> = bundle
                .departments
                .iter()
                .filter(|d| members.iter().any(|i| i.department == d.id))
                .map(|d| d.id.clone())
                .collect();
            Stage {
                stage: s,
                items: members.iter().map(|i| i.id.clone()).collect(),
                departments,
                longest_days: members.iter().try_fold(0u32, |acc, i| i.time_limit_days.map(|l| acc.max(l))),
            }
        })
        .collect()
}

/// Per department (in bundle order), its items stage by stage: every department with work
/// in the plan, and the lead even without.
fn department_plans(bundle: &Bundle, items: &[PlanItem], stages: &[Stage]) -> Vec<DepartmentPlan> {
    bundle
        .departments
        .iter()
        .filter_map(|d| {
            let lead = d.id == bundle.lead;
            let work: Vec<DepartmentStage> = stages
                .iter()
                .filter_map(|s| {
                    let mine: Vec<String> = items
                        .iter()
                        .filter(|i| i.stage == s.stage && i.department == d.id)
                        .map(|i| i.id.clone())
                        .collect();
                    (!mine.is_empty()).then_some(DepartmentStage { stage: s.stage, items: mine })
                })
                .collect();
            (lead || !work.is_empty()).then(|| DepartmentPlan {
                department: d.id.clone(),
                name: d.name.clone(),
                lead,
                work,
            })
        })
        .collect()
}

/// Evidence the included items consume but none of them produces, with its consumers:
/// it must come from the applicant or from outside.
fn external_evidence(bundle: &Bundle, included: &[ItemIx]) -> Vec<ExternalEvidence> {
    let produced: HashSet<&str> =
        included.iter().flat_map(|&i| i.declared(bundle).produces.iter().map(String::as_str)).collect();
    let mut external: IndexMap<String, Vec<String>> = IndexMap::new();
    for item in included.iter().map(|&i| i.declared(bundle)) {
        for e in item.consumes.iter().filter(|e| !produced.contains(e.as_str())) {
            let list = external.entry(e.clone()).or_default();
            if !list.contains(&item.id) {
                list.push(item.id.clone());
            }
        }
    }
    external.into_iter().map(|(evidence, items)| ExternalEvidence { evidence, items }).collect()
}

/// The note of an item waiting for a date of the form: the time limits count from then.
fn waits_for_date(item: &PlanItem, from: &StartsOn) -> Text {
    Text::new(
        format!(
            "「{}」自申请人填写的「{}」之日起办理，其时限自该日起计算；总时限不含等待该日期的时间。",
            item.title.zh, from.title.zh
        ),
        format!(
            "{} is handled from the {} the applicant gives; its time limit counts from that date, and the total does not include the wait for it.",
            item.title.en, from.title.en
        ),
    )
}

/// The titles of the plan's items `ids`.
fn titles_of<'a>(ids: &[String], items: &'a [PlanItem]) -> Vec<&'a Text> {
    ids.iter().filter_map(|id| items.iter().find(|i| &i.id == id)).map(|i| &i.title).collect()
}

fn waits_for_payment(item: &PlanItem, items: &[PlanItem]) -> Text {
    let handled = after_payment_text(&titles_of(&item.after_payment, items));
    Text::new(
        format!("「{}」{}，其时限自缴清之日起计算；总时限不含申请人缴款的时间。", item.title.zh, handled.zh),
        format!(
            "{} is {}; its time limit counts from the payment, and the total does not include the applicant's time to pay.",
            item.title.en, handled.en
        ),
    )
}

fn notes(t: &TimeLimit, external: &[ExternalEvidence], bundle: &Bundle) -> Vec<Text> {
    let mut notes = Vec::new();
    let title = |id: &str| {
        bundle.items.iter().find(|i| i.id == id).map_or_else(|| Text::new(id, id), |i| i.title.clone())
    };
    if !t.missing.is_empty() {
        let titles: Vec<Text> = t.missing.iter().map(|id| title(id)).collect();
        notes.push(Text::new(
            format!(
                "以下事项未设定承诺时限，总时限无法确定（至少{}个工作日）：{}",
                t.at_least_days,
                titles.iter().map(|t| t.zh.as_str()).collect::<Vec<_>>().join("、")
            ),
            format!(
                "These items have no committed time limit, so the total is unknown (at least {} working days): {}",
                t.at_least_days,
                titles.iter().map(|t| t.en.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if let (Some(c), Some(p)) = (t.committed_days, t.critical_path_days) {
        if c < p {
            notes.push(Text::new(
                format!("承诺时限{c}个工作日短于各事项时限的关键路径{p}个工作日：各部门须压缩办理时间。"),
                format!(
                    "The committed time limit ({}) is shorter than the critical path of the items' own limits ({}): departments must work faster than their separate limits.",
                    days_text(Some(c)).en,
                    days_text(Some(p)).en
                ),
            ));
        }
    }
    for e in external {
        let name =
            bundle.evidence.get(&e.evidence).cloned().unwrap_or_else(|| Text::new(&e.evidence, &e.evidence));
        notes.push(Text::new(
            format!("“{}”不由本事项内任何事项产生，须由申请人提供或从外部获取。", name.zh),
            format!(
                "“{}” is produced by no item here: it must come from the applicant or from outside.",
                name.en
            ),
        ));
    }
    notes
}

// ---------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------

/// "N working days", or "time limit unknown".
pub(crate) fn days_text(days: Option<u32>) -> Text {
    match days {
        Some(d) => Text::new(
            format!("{d}个工作日"),
            if d == 1 { "1 working day".into() } else { format!("{d} working days") },
        ),
        None => Text::new("未设定时限", "no time limit set"),
    }
}

pub(crate) fn stage_text(stage: u32) -> Text {
    Text::new(format!("第{stage}阶段"), format!("Stage {stage}"))
}

impl Plan {
    fn department_name(&self, id: &str) -> Text {
        self.departments
            .iter()
            .find(|d| d.department == id)
            .map_or_else(|| Text::new(id, id), |d| d.name.clone())
    }

    fn node_label(&self, item: &PlanItem, lang: Lang) -> Vec<String> {
        let mut lines = vec![item.title.get(lang).to_owned()];
        let mut second = format!(
            "{} · {}",
            self.department_name(&item.department).get(lang),
            days_text(item.time_limit_days).get(lang)
        );
        if item.optional {
            second += match lang {
                Lang::Zh => " · 自选",
                Lang::En => " · opt-in",
            };
        }
        lines.push(second);
        if let Some(c) = &item.condition {
            lines.push(match lang {
                Lang::Zh => format!("适用：{}", c.zh),
                Lang::En => format!("if: {}", c.en),
            });
        }
        if let Some(from) = &item.starts_on {
            lines.push(from.text().get(lang).to_owned());
        }
        if !item.after_payment.is_empty() {
            let titles = titles_of(&item.after_payment, &self.items);
            lines.push(after_payment_text(&titles).get(lang).to_owned());
        }
        lines
    }

    fn total_line(&self, lang: Lang) -> String {
        let t = &self.time_limit;
        let critical = match t.critical_path_days {
            Some(d) => days_text(Some(d)).get(lang).to_owned(),
            None => match lang {
                Lang::Zh => format!("未知（至少{}个工作日）", t.at_least_days),
                Lang::En => format!("unknown (at least {} working days)", t.at_least_days),
            },
        };
        let sum = match t.sum_of_items_days {
            Some(d) => days_text(Some(d)).get(lang).to_owned(),
            None => match lang {
                Lang::Zh => "未知".to_owned(),
                Lang::En => "unknown".to_owned(),
            },
        };
        match lang {
            Lang::Zh => format!("并联办理关键路径：{critical}；逐项办理合计：{sum}"),
            Lang::En => format!("critical path in parallel: {critical}; one after another: {sum}"),
        }
    }

    /// The plan as a Mermaid flowchart: one subgraph per stage, critical edges thick, opt-in
    /// and conditional items dashed. Every bundle-supplied string is escaped (Mermaid entity
    /// codes), so labels cannot break out of their quotes or inject markup.
    pub fn to_mermaid(&self, lang: Lang) -> String {
        let node: HashMap<&str, usize> =
            self.items.iter().enumerate().map(|(i, x)| (x.id.as_str(), i)).collect();
        let mut out = String::from("flowchart LR\n");
        let _ = writeln!(
            out,
            "  %% {} — {}",
            mermaid_comment(self.title.get(lang)),
            mermaid_comment(&self.total_line(lang))
        );
        for s in &self.stages {
            let _ = writeln!(out, "  subgraph s{}[\"{}\"]", s.stage, mermaid(stage_text(s.stage).get(lang)));
            out += "    direction TB\n";
            for id in &s.items {
                let (Some(&n), Some(item)) = (node.get(id.as_str()), self.items.iter().find(|i| &i.id == id))
                else {
                    continue;
                };
                let label: Vec<String> = self.node_label(item, lang).iter().map(|l| mermaid(l)).collect();
                let _ = writeln!(out, "    i{n}[\"{}\"]", label.join("<br/>"));
            }
            out += "  end\n";
        }
        let critical: Vec<(&str, &str)> = self
            .time_limit
            .critical_path
            .windows(2)
            .filter_map(|w| match w {
                [a, b] => Some((a.as_str(), b.as_str())),
                _ => None,
            })
            .collect();
        for e in &self.edges {
            let (Some(&from), Some(&to)) = (node.get(e.from.as_str()), node.get(e.to.as_str())) else {
                continue;
            };
            let arrow = if critical.contains(&(e.from.as_str(), e.to.as_str())) { "==>" } else { "-->" };
            let label = edge_label(e, &self.evidence_titles, lang);
            if label.is_empty() {
                let _ = writeln!(out, "  i{from} {arrow} i{to}");
            } else {
                let _ = writeln!(out, "  i{from} {arrow}|\"{}\"| i{to}", mermaid(&label));
            }
        }
        let dashed: Vec<String> = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.optional || i.condition.is_some())
            .map(|(n, _)| format!("i{n}"))
            .collect();
        let crit: Vec<String> =
            self.items.iter().enumerate().filter(|(_, i)| i.critical).map(|(n, _)| format!("i{n}")).collect();
        if !crit.is_empty() {
            out += "  classDef critical stroke-width:3px\n";
            let _ = writeln!(out, "  class {} critical", crit.join(","));
        }
        if !dashed.is_empty() {
            out += "  classDef maybe stroke-dasharray:5 5\n";
            let _ = writeln!(out, "  class {} maybe", dashed.join(","));
        }
        out
    }

    /// The plan as a Graphviz DOT digraph: one cluster per stage, critical edges bold,
    /// opt-in and conditional items dashed. Every bundle-supplied string is a quoted,
    /// escaped DOT string.
    pub fn to_dot(&self, lang: Lang) -> String {
        let mut out = format!("digraph \"{}\" {{\n", dot(&self.bundle));
        let _ = writeln!(
            out,
            "  graph [rankdir=LR, labelloc=t, label=\"{}\\n{}\"];",
            dot(self.title.get(lang)),
            dot(&self.total_line(lang))
        );
        out += "  node [shape=box, style=rounded];\n";
        for s in &self.stages {
            let _ = writeln!(out, "  subgraph \"cluster_stage_{}\" {{", s.stage);
            let _ = writeln!(out, "    label=\"{}\";", dot(stage_text(s.stage).get(lang)));
            for id in &s.items {
                let Some(item) = self.items.iter().find(|i| &i.id == id) else { continue };
                let label: Vec<String> = self.node_label(item, lang).iter().map(|l| dot(l)).collect();
                let mut attrs = format!("label=\"{}\"", label.join("\\n"));
                if item.optional || item.condition.is_some() {
                    attrs += ", style=\"rounded,dashed\"";
                }
                if item.critical {
                    attrs += ", penwidth=2";
                }
                let _ = writeln!(out, "    \"{}\" [{attrs}];", dot(&item.id));
            }
            out += "  }\n";
        }
        let critical: Vec<(&str, &str)> = self
            .time_limit
            .critical_path
            .windows(2)
            .filter_map(|w| match w {
                [a, b] => Some((a.as_str(), b.as_str())),
                _ => None,
            })
            .collect();
        for e in &self.edges {
            let mut attrs = Vec::new();
            let label = edge_label(e, &self.evidence_titles, lang);
            if !label.is_empty() {
                attrs.push(format!("label=\"{}\"", dot(&label)));
            }
            if critical.contains(&(e.from.as_str(), e.to.as_str())) {
                attrs.push("penwidth=2".to_owned());
            }
            if !e.via.is_empty() {
                attrs.push("style=dashed".to_owned());
            }
            let attrs = if attrs.is_empty() { String::new() } else { format!(" [{}]", attrs.join(", ")) };
            let _ = writeln!(out, "  \"{}\" -> \"{}\"{attrs};", dot(&e.from), dot(&e.to));
        }
        out += "}\n";
        out
    }
}

/// An edge's label: the evidence handed over, or the left-out items it passes through.
fn edge_label(e: &Edge, titles: &IndexMap<String, Text>, lang: Lang) -> String {
    if !e.evidence.is_empty() {
        let names: Vec<&str> =
            e.evidence.iter().map(|id| titles.get(id).map_or(id.as_str(), |t| t.get(lang))).collect();
        return names.join(match lang {
            Lang::Zh => "、",
            Lang::En => ", ",
        });
    }
    if !e.via.is_empty() {
        return match lang {
            Lang::Zh => format!("经 {}", e.via.join("、")),
            Lang::En => format!("via {}", e.via.join(", ")),
        };
    }
    String::new()
}

/// Escapes text for a quoted Mermaid label: entity codes for the characters Mermaid or
/// its HTML labels would interpret; line breaks become spaces.
fn mermaid(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid `%%` comment runs to the end of the line: keep it on one line.
fn mermaid_comment(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Escapes text for a quoted DOT string: backslashes and quotes are escaped (so no DOT
/// escape sequence of the bundle's survives), line breaks become `\n`.
fn dot(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(mermaid("a\"b<c>#|"), "a#quot;b#lt;c#gt;#35;#124;");
        assert_eq!(dot("a\"b\\n\nc"), "a\\\"b\\\\n\\nc");
    }
}
