//! A canonical key is a list mapped column by column (`/gd/*/gdmc` → `shareholders[].name`)
//! at every item declaring it, or at none: an item mapping the department's whole array to
//! it (`/gd` → `shareholders`) would conjoin elements in the department's own names with
//! elements over canonical columns, which no applicant can satisfy by meaning.

use std::collections::HashMap;

use crate::base::pointer;
use crate::compile::translate::Translation;
use crate::model::bundle::{Bundle, ItemIx};
use crate::model::error::Problem;

/// A problem at each entry mapping a whole value to a key that another item maps column by
/// column, naming that item.
pub(crate) fn whole_and_by_column<'a>(
    bundle: &Bundle,
    items: impl Iterator<Item = (ItemIx, &'a Translation)> + Clone,
) -> Vec<Problem> {
    let mut lists: HashMap<&str, (ItemIx, &str)> = HashMap::new();
    for (i, t) in items.clone() {
        for list in &t.lists {
            if let Some(leaf) = t.leaves.get(list.leaf) {
                lists.entry(&*leaf.key).or_insert((i, &*leaf.pointer));
            }
        }
    }
    let mut problems = Vec::new();
    for (i, t) in items {
        let list_leaves: Vec<usize> = t.lists.iter().map(|l| l.leaf).collect();
        for (_, leaf) in t.leaves.iter().enumerate().filter(|(n, _)| !list_leaves.contains(n)) {
            let Some((j, at)) = lists.get(&*leaf.key) else { continue };
            let (item, other) = (i.declared(bundle), j.declared(bundle));
            problems.push(Problem::FieldMap {
                item: item.id.clone(),
                department: item.department.clone(),
                pointer: leaf.pointer.to_string(),
                message: format!(
                    "`{}` is mapped whole here, but item `{}` (department `{}`) maps it column by column from {at}/*; map this department's elements through `*` too (`{}/*/…` → `{}[].…`)",
                    leaf.key, other.id, other.department, leaf.pointer, leaf.key
                ),
                bundle_pointer: Some(pointer::join(&format!("/items/{i}/field_map"), &leaf.pointer)),
            });
        }
    }
    problems
}
