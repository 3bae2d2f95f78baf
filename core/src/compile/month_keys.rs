//! A canonical key is a month or a date, never both: the check across items of the
//! layouts their field maps give (`YYYYMM` makes a month, `YYYYMMDD` a date).

use std::collections::HashMap;

use serde_json::json;

use crate::base::date::LayoutKind;
use crate::base::pointer;
use crate::compile::transform::{DateLayout, ValueTransform};
use crate::compile::translate::{Leaf, Translation};
use crate::model::bundle::{Bundle, ItemIx};
use crate::model::error::Problem;

/// A canonical key cannot be a month at one item (a month layout, `YYYYMM`) and a date at
/// another (a date or date-time layout, or a property the department declares
/// `"format": "date"` in place): no canonical value is both. A problem at each month entry,
/// naming an item where the key is a date.
pub(crate) fn months_and_dates<'a>(
    bundle: &Bundle,
    items: impl Iterator<Item = (ItemIx, &'a Translation)>,
) -> Vec<Problem> {
    let mut leaves = Vec::new();
    for (i, t) in items {
        flatten(i, t, "", &mut leaves);
    }
    let mut dates: HashMap<&str, (ItemIx, &Leaf, String)> = HashMap::new();
    let mut months = Vec::new();
    for (i, key, leaf, t) in &leaves {
        let how = match &leaf.transform {
            Some(ValueTransform::Date(layout)) if layout.kind == LayoutKind::Month => {
                months.push((*i, key.as_str(), *leaf, layout));
                continue;
            }
            Some(ValueTransform::Date(layout)) => format!("written {layout}"),
            None if t.parts_of(&leaf.key).iter().any(|p| p.value().get("format") == Some(&json!("date"))) => {
                "with \"format\": \"date\"".to_owned()
            }
            _ => continue,
        };
        dates.entry(key.as_str()).or_insert((*i, *leaf, how));
    }
    let problem = |(i, key, leaf, layout): (ItemIx, &str, &Leaf, &DateLayout)| {
        let (j, other, how) = dates.get(key)?;
        let (item, at) = (i.declared(bundle), j.declared(bundle));
        Some(Problem::FieldMap {
            item: item.id.clone(),
            department: item.department.clone(),
            pointer: leaf.pointer.to_string(),
            message: format!(
                "`{key}` is a month here (layout {layout}, canonical YYYY-MM) but a date at item `{}` (department `{}`, {} {how}): no value is both; give the month a key of its own",
                at.id, at.department, other.pointer
            ),
            bundle_pointer: Some(pointer::join(&format!("/items/{i}/field_map"), &leaf.pointer)),
        })
    };
    months.into_iter().filter_map(problem).collect()
}

/// Every leaf of a translation with its full key (a list's column as `list[].column`), the
/// elements of its lists included.
fn flatten<'a>(
    i: ItemIx,
    t: &'a Translation,
    prefix: &str,
    out: &mut Vec<(ItemIx, String, &'a Leaf, &'a Translation)>,
) {
    for leaf in &t.leaves {
        out.push((i, format!("{prefix}{}", leaf.key), leaf, t));
    }
    for list in &t.lists {
        if let Some(leaf) = t.leaves.get(list.leaf) {
            flatten(i, &list.element, &format!("{prefix}{}[].", leaf.key), out);
        }
    }
}
