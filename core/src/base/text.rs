//! Bilingual user-facing text.
//!
//! Everything an applicant or an official reads — titles, messages, notices — is carried in
//! both zh-CN and English. [`Text`] is that pair; [`Lang`] picks one side of it.
//!
//! ```
//! use onething::{Lang, Text};
//!
//! let title = Text::new("身份证号码", "ID number");
//! assert_eq!(title.get(Lang::Zh), "身份证号码");
//! assert_eq!(title.get(Lang::En), "ID number");
//! ```

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A piece of user-facing text in Simplified Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Simplified Chinese (zh-CN).
    pub zh: String,
    /// English.
    pub en: String,
}

impl Text {
    /// Builds a text from its two languages.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text { zh: zh.into(), en: en.into() }
    }

    /// The text in one language.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl fmt::Display for Text {
    /// Displays both languages, Chinese first: `身份证号码 / ID number`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.zh == self.en { f.write_str(&self.zh) } else { write!(f, "{} / {}", self.zh, self.en) }
    }
}

/// A language of user-facing output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Simplified Chinese (zh-CN), the default.
    #[default]
    Zh,
    /// English.
    En,
}
