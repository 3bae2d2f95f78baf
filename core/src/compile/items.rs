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

use jsonschema::Validator;

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
    /// The department's schema, as published, compiled.
    pub original: Validator,
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
