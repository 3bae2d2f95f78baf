//! Errors across the boundary.
//!
//! Every failure reaches JS as a thrown `Error` whose `message` is the native error's text,
//! with machine-readable properties:
//!
//! * `kind` — always: the native error's kind (`syntax`, `format`, `too_large`, `compile`,
//!   `invalid`, `unknown_key`, `locked`, `conflict`, `cases`, `different_bundles`, …; see
//!   `bindings/js/README.md`);
//! * `path` — where in the input, when known: a path such as `items[2].field_map`, a JSON
//!   Pointer, or a wizard key;
//! * `file` — the file of a bundle directory the failure is in, when there is one: the file
//!   that cannot be read or parsed, or a failing rule script's file (`Bundle.fromFiles`);
//! * `line`, `column` — 1-based, for JSON syntax errors and rule script errors (in `file`
//!   when it is set);
//! * `details` — the whole native error as data (a compile error's every problem, a
//!   validation…), when it has more than the message.

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::JsValue;

/// A failure on its way to JS.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    kind: String,
    message: String,
    path: Option<String>,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    details: Option<Value>,
}

impl Failure {
    /// A failure of a kind with a message.
    pub fn new(kind: &str, message: impl Into<String>) -> Failure {
        Failure {
            kind: kind.to_owned(),
            message: message.into(),
            path: None,
            file: None,
            line: None,
            column: None,
            details: None,
        }
    }

    /// Sets where in the input.
    pub fn at(mut self, path: impl Into<String>) -> Failure {
        self.path = Some(path.into());
        self
    }

    /// Sets the file the failure is in.
    pub fn in_file(mut self, file: Option<&str>) -> Failure {
        self.file = file.map(str::to_owned);
        self
    }

    /// Sets the 1-based line and column (0, unknown, sets nothing).
    pub fn line_column(mut self, line: usize, column: usize) -> Failure {
        if line > 0 {
            self.line = Some(line);
            self.column = (column > 0).then_some(column);
        }
        self
    }

    /// Attaches the native error as data.
    pub fn details(mut self, d: &impl Serialize) -> Failure {
        self.details = serde_json::to_value(d).ok();
        self
    }

    /// The kind (for tests).
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The message (for tests).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `kind` tag of a native error serialised with `#[serde(tag = "kind")]`.
    fn kind_of(v: &impl Serialize, otherwise: &str) -> String {
        serde_json::to_value(v)
            .ok()
            .and_then(|v| v.get("kind").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| otherwise.to_owned())
    }
}

impl From<Failure> for JsValue {
    fn from(f: Failure) -> JsValue {
        let e = js_sys::Error::new(&f.message);
        let set = |k: &str, v: JsValue| {
            // Setting a property on a fresh Error cannot fail; were it to, the error still
            // carries its message.
            let _ = js_sys::Reflect::set(&e, &JsValue::from_str(k), &v);
        };
        set("kind", JsValue::from_str(&f.kind));
        if let Some(p) = &f.path {
            set("path", JsValue::from_str(p));
        }
        if let Some(file) = &f.file {
            set("file", JsValue::from_str(file));
        }
        if let Some(l) = f.line {
            set("line", JsValue::from_f64(l as f64));
        }
        if let Some(c) = f.column {
            set("column", JsValue::from_f64(c as f64));
        }
        if let Some(d) = f.details.as_ref().and_then(|d| crate::codec::to_js(d).ok()) {
            set("details", d);
        }
        e.into()
    }
}

impl From<onething::LoadError> for Failure {
    fn from(e: onething::LoadError) -> Failure {
        use onething::LoadError as L;
        let f = Failure::new(&Failure::kind_of(&e, "load"), e.to_string());
        match &e {
            L::Syntax { line, column, .. } => f.line_column(*line, *column),
            L::Format { at, .. } => f.at(at.clone()),
            _ => f,
        }
    }
}

impl From<onething::CompileError> for Failure {
    fn from(e: onething::CompileError) -> Failure {
        let mut f = Failure::new("compile", e.to_string()).details(&e);
        // The first script problem gives the line and column, as `onething check` prints it.
        for p in &e.problems {
            if let onething::Problem::Script { at, file, line, column, .. } = p {
                f = f.at(at.clone()).in_file(file.as_deref()).line_column(*line, *column);
                break;
            }
        }
        f
    }
}

impl From<onething::DispatchError> for Failure {
    fn from(e: onething::DispatchError) -> Failure {
        Failure::new(&Failure::kind_of(&e, "dispatch"), e.to_string()).details(&e)
    }
}

impl From<onething::ResultsError> for Failure {
    fn from(e: onething::ResultsError) -> Failure {
        let mut f = Failure::new("results", e.to_string()).details(&e);
        if let Some(p) = e.problems.first() {
            if let Some(ptr) = p.pointer() {
                f = f.at(ptr);
            }
            if let onething::results::ResultProblem::Syntax { line, column, .. } = p {
                f = f.line_column(*line, *column);
            }
        }
        f
    }
}

impl From<onething::WizardError> for Failure {
    fn from(e: onething::WizardError) -> Failure {
        use onething::WizardError as W;
        let (kind, path) = match &e {
            W::UnknownKey { key, .. } => ("unknown_key", Some(key.clone())),
            W::Locked { key } => ("locked", Some(key.clone())),
            W::UnknownMaterial { id, .. } => ("unknown_material", Some(id.clone())),
            W::UnknownItem(id) => ("unknown_item", Some(id.clone())),
            W::UnknownStep(_) => ("unknown_step", None),
            W::WrongBundle { .. } => ("wrong_bundle", None),
            W::NotAList { key } => ("not_a_list", Some(key.clone())),
            W::NotARow { key, .. } => ("not_a_row", Some(key.clone())),
            W::NoRow { key, index, .. } => ("no_row", Some(format!("{key}/{index}"))),
            W::UnknownColumn { key, column, .. } => ("unknown_column", Some(format!("{key}/{column}"))),
            W::TooManyRows { key, .. } => ("too_many_rows", Some(key.clone())),
            _ => ("wizard", None),
        };
        // The bilingual text, for showing to the applicant.
        let f = Failure::new(kind, e.to_string()).details(&e.text());
        match path {
            Some(p) => f.at(p),
            None => f,
        }
    }
}

impl From<onething::UnknownItem> for Failure {
    fn from(e: onething::UnknownItem) -> Failure {
        let id = e.0.clone();
        Failure::new("unknown_item", e.to_string()).at(id)
    }
}

impl From<onething::FormError> for Failure {
    fn from(e: onething::FormError) -> Failure {
        match e {
            onething::FormError::UnknownItem(e) => Failure::from(e),
            e => Failure::new("invalid_schema", e.to_string()),
        }
    }
}

impl From<onething::schema::MergeError> for Failure {
    fn from(e: onething::schema::MergeError) -> Failure {
        use onething::schema::MergeError as M;
        match &e {
            M::Unsatisfiable(u) => Failure::new("conflict", e.to_string()).at(u.at.clone()).details(u),
            M::Schema(onething::schema::SchemaError::Invalid { pointer, .. }) => {
                Failure::new("invalid_schema", e.to_string()).at(pointer.clone())
            }
            M::Schema(_) => Failure::new("invalid_schema", e.to_string()),
            _ => Failure::new("merge", e.to_string()),
        }
    }
}

impl From<onething::diff::DifferentBundles> for Failure {
    fn from(e: onething::diff::DifferentBundles) -> Failure {
        let details = serde_json::json!({ "old": e.old, "new": e.new });
        Failure::new("different_bundles", e.to_string()).details(&details)
    }
}

/// Every problem of a test run's cases (`Bundle.test`): `kind: "cases"`, the message one
/// line per problem, `file`, `path`, `line` and `column` of the first, and every problem
/// (each with its own `kind`: `syntax`, `format`, `io`…) in `details.errors`.
pub fn cases(errors: &[onething::LoadError]) -> Failure {
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let mut f = Failure::new("cases", text.join("\n")).details(&serde_json::json!({ "errors": errors }));
    if let Some(first) = errors.first() {
        let one = Failure::from(first.clone());
        f.file = Some(first.path().to_owned());
        f.path = one.path;
        f.line = one.line;
        f.column = one.column;
    }
    f
}

/// A date argument that is not `YYYY-MM-DD`.
pub fn bad_date(what: &str, text: &str, e: impl std::fmt::Display) -> Failure {
    Failure::new("date", format!("{what}: `{text}` is not a date (YYYY-MM-DD): {e}"))
}
