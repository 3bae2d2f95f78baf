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
    /// A list's columns (`name` for `shareholders[].name`), in form order; empty for any
    /// other key.
    pub columns: IndexMap<String, KeyInfo>,
    /// How one element of a list is named, `{n}` standing for its number from 1 (the field
    /// dictionary's `element`: 第{n}位股东 / shareholder {n}).
    pub element: Option<Text>,
}

impl KeyInfo {
    /// Is the key a list mapped column by column?
    pub fn is_list(&self) -> bool {
        !self.columns.is_empty()
    }

    /// The name of the list's element at `index` (from 0): the dictionary's `element`, or
    /// the list's title and the number.
    pub fn element_name(&self, index: usize) -> Text {
        let n = (index + 1).to_string();
        match &self.element {
            Some(t) => Text::new(t.zh.replace("{n}", &n), t.en.replace("{n}", &n)),
            None => Text::new(format!("{}第{n}项", self.title.zh), format!("{} #{n}", self.title.en)),
        }
    }
}

/// A value's place as people read it, from its path in the submission's values:
/// `["shareholders", "1", "name"]` is `shareholders[1].name`.
pub fn place(path: &[String]) -> String {
    let mut out = String::new();
    for token in path {
        if !out.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) && !token.is_empty() {
            out.push('[');
            out.push_str(token);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(token);
        }
    }
    out
}

/// The key, or the list column, that `key` names (`shareholders[].name` is the column
/// `name` of the list `shareholders`), if the form has it.
pub fn find<'a>(keys: &'a KeyInfos, key: &str) -> Option<&'a KeyInfo> {
    let mut parts = key.split("[].");
    let mut info = keys.get(parts.next()?)?;
    for column in parts {
        info = info.columns.get(column)?;
    }
    Some(info)
}

/// Every key and list column with its full name (`shareholders[].name`), in form order.
pub fn all(keys: &KeyInfos) -> Vec<(String, &KeyInfo)> {
    fn walk<'a>(
        prefix: &str,
        infos: impl Iterator<Item = (&'a String, &'a KeyInfo)>,
        out: &mut Vec<(String, &'a KeyInfo)>,
    ) {
        for (key, info) in infos {
            let name = format!("{prefix}{key}");
            walk(&format!("{name}[]."), info.columns.iter(), out);
            out.push((name, info));
        }
    }
    let mut out = Vec::new();
    walk("", keys.iter(), &mut out);
    out
}
