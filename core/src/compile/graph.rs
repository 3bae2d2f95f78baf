//! The item dependency graph: which item waits for which, and why.
//!
//! An item waits for the items it names in `depends_on`, and for every item producing
//! evidence it `consumes`. One graph, built once at compile, serves every use: the
//! cycle check (a compile problem naming the cycle), the order items are decided in
//! (prerequisites first), and the stages and critical path of the process plan
//! ([`crate::report::plan`]).

use std::collections::{HashMap, HashSet, VecDeque};

use indexmap::IndexMap;

use crate::compile::items::PerItem;
use crate::model::bundle::{Bundle, ItemIx};
use crate::model::error::Problem;

/// The dependency graph of a bundle's items.
#[derive(Debug)]
pub(crate) struct ItemGraph {
    /// Why each edge exists, keyed by (from, to), in discovery order.
    links: IndexMap<(ItemIx, ItemIx), Link>,
    /// Direct predecessors of each item, in bundle order, without duplicates. An item
    /// consuming evidence it produces is its own predecessor (a cycle of one).
    preds: PerItem<Vec<ItemIx>>,
    /// Each item's prerequisites: its predecessors other than itself.
    prerequisites: PerItem<Vec<ItemIx>>,
    /// Every item, prerequisites first (see [`topological`]).
    order: Vec<ItemIx>,
}

/// Why one item waits for another.
#[derive(Debug, Clone, Default)]
pub(crate) struct Link {
    /// The waiting item names the other in its `depends_on`.
    pub depends_on: bool,
    /// Evidence the other produces and the waiting item consumes.
    pub evidence: Vec<String>,
}

impl ItemGraph {
    /// Builds the graph. A `depends_on` naming a missing item or the item itself is left
    /// out (compile reports it); an item consuming evidence it produces gets a self-loop
    /// (a cycle of one).
    pub fn of(bundle: &Bundle) -> ItemGraph {
        let index: HashMap<&str, ItemIx> =
            bundle.indexed_items().map(|(ix, item)| (item.id.as_str(), ix)).collect();
        let mut producers: IndexMap<&str, Vec<ItemIx>> = IndexMap::new();
        for (i, item) in bundle.indexed_items() {
            for e in &item.produces {
                let list = producers.entry(e.as_str()).or_default();
                if !list.contains(&i) {
                    list.push(i);
                }
            }
        }
        let mut links: IndexMap<(ItemIx, ItemIx), Link> = IndexMap::new();
        for (to, item) in bundle.indexed_items() {
            for dep in &item.depends_on {
                if let Some(&from) = index.get(dep.as_str()).filter(|&&f| f != to) {
                    links.entry((from, to)).or_default().depends_on = true;
                }
            }
            for e in &item.consumes {
                for &from in producers.get(e.as_str()).into_iter().flatten() {
                    let link = links.entry((from, to)).or_default();
                    if !link.evidence.contains(e) {
                        link.evidence.push(e.clone());
                    }
                }
            }
        }
        let mut preds = PerItem::of(bundle, |_, _| Vec::new());
        for &(from, to) in links.keys() {
            preds.get_mut(to).push(from);
        }
        let preds = preds.map(|_, p| {
            let mut p = p.clone();
            p.sort_unstable();
            p.dedup();
            p
        });
        let prerequisites = preds.map(|i, p| p.iter().copied().filter(|&j| j != i).collect());
        let all: Vec<ItemIx> = preds.indices().collect();
        let order = topological(&all, &prerequisites);
        ItemGraph { links, preds, prerequisites, order }
    }

    /// Why `to` waits for `from`, when it does directly.
    pub fn link(&self, from: ItemIx, to: ItemIx) -> Option<&Link> {
        self.links.get(&(from, to))
    }

    /// Item `ix`'s direct predecessors (itself included when it consumes its own evidence).
    pub fn preds(&self, ix: ItemIx) -> &[ItemIx] {
        self.preds.get(ix)
    }

    /// Item `ix`'s prerequisites: the items it `depends_on` and those producing evidence it
    /// `consumes`, sorted, itself excluded.
    pub fn prerequisites(&self, ix: ItemIx) -> &[ItemIx] {
        self.prerequisites.get(ix)
    }

    /// Every item, prerequisites first (bundle order otherwise): the order items are
    /// decided in. Items on a cycle, which compile refuses, come last in bundle order.
    pub fn order(&self) -> &[ItemIx] {
        &self.order
    }

    /// A value for every item, made by `f` from its index.
    pub fn per_item<T>(&self, mut f: impl FnMut(ItemIx) -> T) -> PerItem<T> {
        self.preds.map(|ix, _| f(ix))
    }

    /// Each item's successors by position, for the cycle search.
    fn succs(&self) -> Vec<Vec<usize>> {
        let mut succs = vec![Vec::new(); self.preds.len()];
        for (to, preds) in self.preds.iter() {
            for &from in preds {
                set_with(&mut succs, from.position(), |s| s.push(to.position()));
            }
        }
        succs
    }

    /// Checks that the items' dependencies (`depends_on`, and evidence produced and consumed)
    /// have no cycle: every cycle is one problem naming its items in order, with why each one
    /// waits for the one before. [`CompiledBundle::compile`](crate::CompiledBundle::compile)
    /// calls it.
    ///
    /// ```
    /// use onething::{Bundle, CompiledBundle};
    /// let bundle: Bundle = serde_json::from_value(serde_json::json!({
    ///     "id": "b", "version": "1", "title": {"zh": "事", "en": "Thing"}, "lead": "d",
    ///     "departments": [{"id": "d", "name": {"zh": "局", "en": "Bureau"}}],
    ///     "items": [
    ///       {"id": "a", "department": "d", "title": {"zh": "甲", "en": "A"}, "schema": true,
    ///        "depends_on": ["b"]},
    ///       {"id": "b", "department": "d", "title": {"zh": "乙", "en": "B"}, "schema": true,
    ///        "consumes": ["x"]},
    ///       {"id": "c", "department": "d", "title": {"zh": "丙", "en": "C"}, "schema": true,
    ///        "produces": ["x"], "depends_on": ["a"]}
    ///     ]
    /// })).unwrap();
    /// let problems = CompiledBundle::compile(bundle).err().unwrap().problems;
    /// assert_eq!(problems.len(), 1);
    /// assert!(problems[0].to_string().contains("a → c → b → a"), "{}", problems[0]);
    /// ```
    pub(crate) fn cycles(&self, bundle: &Bundle) -> Vec<Problem> {
        let succs = self.succs();
        let ix = |i: usize| self.preds.at(i);
        let id = |i: usize| ix(i).map(|ix| ix.declared(bundle).id.clone()).unwrap_or_default();
        let mut problems = Vec::new();
        for component in strongly_connected(&succs) {
            let Some(&start) = component.iter().min() else { continue };
            let self_loop = succs.get(start).is_some_and(|s| s.contains(&start));
            if component.len() < 2 && !self_loop {
                continue;
            }
            let members: HashSet<usize> = component.iter().copied().collect();
            let cycle = shortest_cycle(start, &succs, &members);
            let mut because = Vec::new();
            for pair in cycle.windows(2) {
                if let [from, to] = pair {
                    if let (Some(from), Some(to)) = (ix(*from), ix(*to)) {
                        if let Some(link) = self.link(from, to) {
                            because.push(reason(bundle, from, to, link));
                        }
                    }
                }
            }
            // The cycle's first item, where it starts.
            let bundle_pointer = cycle.first().map(|i| format!("/items/{i}"));
            problems.push(Problem::Cycle {
                items: cycle.into_iter().map(id).collect(),
                because,
                bundle_pointer,
            });
        }
        problems
    }
}

/// Why `to` waits for `from`, in words.
fn reason(bundle: &Bundle, from: ItemIx, to: ItemIx, link: &Link) -> String {
    let (from, to) = (&from.declared(bundle).id, &to.declared(bundle).id);
    let mut parts = Vec::new();
    if link.depends_on {
        parts.push(format!("`{to}` depends on `{from}`"));
    }
    for e in &link.evidence {
        parts.push(format!("`{to}` consumes `{e}` produced by `{from}`"));
    }
    parts.join(", ")
}

/// Strongly connected components (Tarjan's algorithm, without recursion so that a long
/// chain of items cannot exhaust the stack).
fn strongly_connected(succs: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = succs.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0usize;
    let mut out = Vec::new();
    for root in 0..n {
        if index.get(root).is_none_or(|&x| x != usize::MAX) {
            continue;
        }
        // (node, position in its successor list)
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut pos)) = work.last_mut() {
            if *pos == 0 && index.get(v).is_some_and(|&x| x == usize::MAX) {
                set(&mut index, v, next);
                set(&mut low, v, next);
                next += 1;
                stack.push(v);
                set(&mut on_stack, v, true);
            }
            let succ = succs.get(v).and_then(|s| s.get(*pos)).copied();
            *pos += 1;
            match succ {
                Some(w) if index.get(w).is_some_and(|&x| x == usize::MAX) => work.push((w, 0)),
                Some(w) => {
                    if on_stack.get(w).copied().unwrap_or(false) {
                        let lw = index.get(w).copied().unwrap_or(usize::MAX);
                        let lv = low.get(v).copied().unwrap_or(usize::MAX);
                        set(&mut low, v, lv.min(lw));
                    }
                }
                None => {
                    work.pop();
                    let lv = low.get(v).copied().unwrap_or(usize::MAX);
                    if let Some(&(parent, _)) = work.last() {
                        let lp = low.get(parent).copied().unwrap_or(usize::MAX);
                        set(&mut low, parent, lp.min(lv));
                    }
                    if index.get(v).is_some_and(|&x| x == lv) {
                        let mut component = Vec::new();
                        while let Some(w) = stack.pop() {
                            set(&mut on_stack, w, false);
                            component.push(w);
                            if w == v {
                                break;
                            }
                        }
                        component.sort_unstable();
                        out.push(component);
                    }
                }
            }
        }
    }
    out.sort_unstable();
    out
}

/// Sets `v[i]` when `i` is in range.
fn set<T>(v: &mut [T], i: usize, value: T) {
    set_with(v, i, |slot| *slot = value);
}

/// Changes `v[i]` with `f` when `i` is in range.
fn set_with<T>(v: &mut [T], i: usize, f: impl FnOnce(&mut T)) {
    if let Some(slot) = v.get_mut(i) {
        f(slot);
    }
}

/// The shortest cycle through `start` inside one component (breadth first, successors in
/// bundle order): `[start, …, start]`.
fn shortest_cycle(start: usize, succs: &[Vec<usize>], members: &HashSet<usize>) -> Vec<usize> {
    let mut parent: HashMap<usize, usize> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    let mut closing = None;
    'search: while let Some(v) = queue.pop_front() {
        for &w in succs.get(v).into_iter().flatten() {
            if w == start {
                closing = Some(v);
                break 'search;
            }
            if members.contains(&w) && !parent.contains_key(&w) {
                parent.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    let mut path = vec![start];
    let mut v = closing.unwrap_or(start);
    while v != start {
        path.push(v);
        match parent.get(&v) {
            Some(&p) => v = p,
            None => break,
        }
    }
    path.push(start);
    path.reverse();
    path
}

/// The `included` items (indices in bundle order), every item after its predecessors:
/// passes over the items in bundle order, each placing every item whose predecessors are
/// placed. Items left over (only on a cycle, which compile refuses) come last, in bundle
/// order. Predecessors outside `included` are not waited for.
///
/// The decision order and the plan's stages both come from it; the stages do not depend on
/// which topological order is taken, the decision's deficiencies and trace are listed in it.
pub(crate) fn topological(included: &[ItemIx], preds: &PerItem<Vec<ItemIx>>) -> Vec<ItemIx> {
    let mut waits = preds.map(|_, _| false);
    for &i in included {
        *waits.get_mut(i) = true;
    }
    let mut placed = preds.map(|_, _| false);
    let mut order = Vec::with_capacity(included.len());
    while order.len() < included.len() {
        let before = order.len();
        for &i in included {
            let ready = || preds.get(i).iter().all(|&j| !*waits.get(j) || *placed.get(j));
            if !*placed.get(i) && ready() {
                order.push(i);
                *placed.get_mut(i) = true;
            }
        }
        if order.len() == before {
            order.extend(included.iter().filter(|&&i| !*placed.get(i)));
            break;
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(items: serde_json::Value) -> Bundle {
        serde_json::from_value(serde_json::json!({
            "id": "b", "version": "1", "title": {"zh": "事", "en": "Thing"}, "lead": "d",
            "departments": [{"id": "d", "name": {"zh": "局", "en": "Bureau"}}],
            "items": items
        }))
        .unwrap()
    }

    fn item(id: &str, extra: serde_json::Value) -> serde_json::Value {
        let mut v =
            serde_json::json!({"id": id, "department": "d", "title": {"zh": id, "en": id}, "schema": true});
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        v
    }

    #[test]
    fn prerequisites_first_then_bundle_order() {
        use serde_json::json;
        let b = bundle(json!([
            item("a", json!({"depends_on": ["c"]})),
            item("b", json!({"consumes": ["x"]})),
            item("c", json!({"produces": ["x"]})),
            item("d", json!({})),
        ]));
        let g = ItemGraph::of(&b);
        let ix = |i| g.preds.at(i).unwrap();
        assert_eq!(g.prerequisites(ix(0)), [ix(2)]);
        assert_eq!(g.prerequisites(ix(1)), [ix(2)]);
        assert_eq!(g.order(), [ix(2), ix(3), ix(0), ix(1)]);
        assert!(g.link(ix(2), ix(1)).is_some_and(|l| !l.depends_on && l.evidence == ["x"]));
        assert!(g.cycles(&b).is_empty());
    }

    #[test]
    fn consuming_own_evidence_is_a_cycle_of_one_but_not_a_prerequisite() {
        use serde_json::json;
        let b = bundle(json!([item("a", json!({"produces": ["x"], "consumes": ["x"]}))]));
        let g = ItemGraph::of(&b);
        let a = g.preds.at(0).unwrap();
        assert_eq!(g.preds(a), [a]);
        assert!(g.prerequisites(a).is_empty());
        let problems = g.cycles(&b);
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[test]
    fn tarjan_finds_components_without_recursion() {
        // A long chain closing into a cycle at the end.
        let n = 50_000;
        let mut succs: Vec<Vec<usize>> =
            (0..n).map(|i| if i + 1 < n { vec![i + 1] } else { vec![] }).collect();
        if let Some(last) = succs.last_mut() {
            last.push(n - 3);
        }
        let big: Vec<Vec<usize>> = strongly_connected(&succs).into_iter().filter(|c| c.len() > 1).collect();
        assert_eq!(big, vec![vec![n - 3, n - 2, n - 1]]);
    }
}
