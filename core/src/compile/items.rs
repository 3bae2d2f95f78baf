//! One record per item: what compiling made of each of the bundle's items, addressed by a
//! typed index.
//!
//! An item is declared once in `bundle.json` (a [`model::bundle::Item`]) and compiled once
//! into a [`CompiledItem`]: its schemas as validators, its translation to canonical keys,
//! its rules. Both live at the same position — the item's place in `bundle.items` — and an
//! [`ItemIx`] names that position. An `ItemIx` is only made for a position of a bundle's
//! items (here, as a [`PerItem`] is read, or by the bundle itself), so every one is in range:
//! code that holds one reads the item without a fallback, and a plain `usize` (a
//! material's position, a rule's) cannot be passed where an item is meant.
//!
//! [`model::bundle::Item`]: crate::model::bundle::Item

use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::Value;

use crate::compile::rulebook::ItemRules;
use crate::compile::translate::Translation;
use crate::model::bundle::{Bundle, Item, ItemIx};

/// Something for each item of a bundle, in bundle order, read by [`ItemIx`]: every item
/// has one, so reading needs no fallback.
#[derive(Debug, Clone)]
pub(crate) struct PerItem<T>(Vec<T>);

/// Every item of a bundle, compiled.
pub(crate) type Items = PerItem<CompiledItem>;

impl<T> PerItem<T> {
    /// One value per item of `bundle`, made by `f` from the item's index and declaration.
    pub(in crate::compile) fn of<'a>(
        bundle: &'a Bundle,
        mut f: impl FnMut(ItemIx, &'a Item) -> T,
    ) -> PerItem<T> {
        PerItem(bundle.indexed_items().map(|(ix, item)| f(ix, item)).collect())
    }

    /// Values made in bundle order, one for each of the bundle's items (the caller checks
    /// that there is one for each).
    pub(in crate::compile) fn new(values: Vec<T>) -> PerItem<T> {
        PerItem(values)
    }

    /// The value of item `ix`.
    pub fn get(&self, ix: ItemIx) -> &T {
        // In range: see `ItemIx::declared`.
        #[allow(clippy::indexing_slicing)]
        &self.0[ix.position()]
    }

    /// The value of item `ix`, to change.
    pub fn get_mut(&mut self, ix: ItemIx) -> &mut T {
        // In range: see `ItemIx::declared`.
        #[allow(clippy::indexing_slicing)]
        &mut self.0[ix.position()]
    }

    /// Every item's value with its index, in bundle order.
    pub fn iter(&self) -> impl Iterator<Item = (ItemIx, &T)> {
        self.0.iter().enumerate().map(|(i, c)| (ItemIx::from_position(i), c))
    }

    /// Every item's value, in bundle order.
    pub fn values(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// Every index, in bundle order.
    pub fn indices(&self) -> impl Iterator<Item = ItemIx> + use<T> {
        (0..self.0.len()).map(ItemIx::from_position)
    }

    /// The index of the item at position `i`, if there is one.
    pub(in crate::compile) fn at(&self, i: usize) -> Option<ItemIx> {
        (i < self.0.len()).then_some(ItemIx::from_position(i))
    }

    /// A value per item made from this one's.
    pub fn map<U>(&self, mut f: impl FnMut(ItemIx, &T) -> U) -> PerItem<U> {
        PerItem(self.iter().map(|(ix, v)| f(ix, v)).collect())
    }

    /// Every item's value, in bundle order.
    pub fn into_values(self) -> impl Iterator<Item = T> {
        self.0.into_iter()
    }

    /// How many items there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl PerItem<CompiledItem> {
    /// The item with this id.
    pub fn find(&self, id: &str) -> Option<ItemIx> {
        self.0.iter().position(|c| c.id == id).map(ItemIx::from_position)
    }
}

/// One item, compiled.
pub(crate) struct CompiledItem {
    pub id: String,
    pub department: String,
    pub optional: bool,
    /// The department's schema, as published, compiled on first use.
    pub original: Original,
    /// For an item that does not always apply: its own constraints over canonical keys.
    pub delta: Option<Validator>,
    /// Constraints checked on the department's view of the submission.
    pub residual: Option<Validator>,
    /// The department's schema in canonical keys, and the way back.
    pub translation: Translation,
    /// The item's rules.
    pub rules: ItemRules,
}

impl CompiledItem {
    /// Does the item apply only sometimes (opt-in, or under a condition)?
    pub fn conditional(&self) -> bool {
        self.optional || self.rules.applies_if.is_some()
    }
}

/// The department's schema as published, compiled the first time it is needed. Only
/// dispatch and the department views check data against it, and compiling it for every item
/// was a fifth of a bundle's first compile in a browser (BENCHMARKS.md, "Cold start"). What
/// compiling it could refuse is checked when the bundle compiles ([`crate::schema::precheck`]),
/// so a schema the validator refuses is still an error of the item's schema then; should it
/// refuse one anyway on first use, the message is kept and returned, never a panic.
pub(crate) struct Original(OnceLock<Result<Validator, String>>);

impl Original {
    /// A validator still to compile, or the one the check compiled already.
    pub fn new(compiled: Option<Validator>) -> Original {
        Original(compiled.map_or_else(OnceLock::new, |v| OnceLock::from(Ok(v))))
    }

    /// The validator of `schema` (the item's schema as the bundle declares it), compiled on
    /// the first call; the validator's message if it refuses the schema.
    pub fn get(&self, schema: &Value) -> Result<&Validator, &str> {
        let compiled = self.0.get_or_init(|| {
            crate::schema::compile(schema).map_err(|(pointer, message)| format!("{message} (at `{pointer}`)"))
        });
        compiled.as_ref().map_err(String::as_str)
    }
}
