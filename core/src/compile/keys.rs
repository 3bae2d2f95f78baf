//! The merged form's canonical keys: in form order, each with its title and the items
//! declaring it ([`crate::compile::form::key_infos`] makes them). Apart from the form so that
//! the rules can be checked against the keys without depending on how forms are built.

use indexmap::IndexMap;

use crate::base::text::Text;
use crate::model::bundle::ItemIx;

/// The merged form's canonical keys in form order. Built from the bundle (trusted input)
/// and looked up for every field of every submission, so hashed with foldhash's fixed state
/// rather than std's slower, DoS-resistant SipHash.
pub type KeyInfos = IndexMap<String, KeyInfo, foldhash::fast::FixedState>;

/// A canonical key as the merged form knows it.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    /// Title in both languages.
    pub title: Text,
    /// Help text.
    pub description: Option<Text>,
    /// The items declaring the key.
    pub(crate) items: Vec<ItemIx>,
}
