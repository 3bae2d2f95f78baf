//! The sandboxed engine, its limits, and one evaluation's session.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rhai::{AST, Dynamic, Engine, EvalAltResult, Position, Scope};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::api;
use crate::calendar::Calendar;
use crate::date::Date;
use crate::submission::{Applicant, MaterialStatus};
use crate::text::Text;

/// Limits of the rule sandbox. Every limit turns a runaway script into an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Operations one rule may perform.
    pub operations: u64,
    /// Nested function calls.
    pub call_levels: usize,
    /// Nesting of expressions at the top level of a script.
    pub expr_depth: usize,
    /// Nesting of expressions inside functions.
    pub function_expr_depth: usize,
    /// Characters in one string.
    pub string_size: usize,
    /// Elements in one array.
    pub array_size: usize,
    /// Entries in one map.
    pub map_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            operations: 100_000,
            call_levels: 32,
            expr_depth: 64,
            function_expr_depth: 32,
            string_size: 10_000,
            array_size: 10_000,
            map_size: 10_000,
        }
    }
}

/// A script that does not compile, or failed while running.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, JsonSchema)]
#[error("line {line}, column {column}: {message}")]
pub struct ScriptError {
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
    /// What went wrong.
    pub message: String,
    /// What the rule's author said with `throw` (text, or `#{ zh: "…", en: "…" }`): a
    /// situation the rule hands to an official on purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thrown: Option<Text>,
}

impl ScriptError {
    pub(crate) fn at(pos: Position, message: String) -> ScriptError {
        ScriptError {
            line: pos.line().unwrap_or(0),
            column: pos.position().unwrap_or(0),
            message,
            thrown: None,
        }
    }

    /// An error that is not tied to a place in the script.
    pub(crate) fn general(message: String) -> ScriptError {
        ScriptError { line: 0, column: 0, message, thrown: None }
    }

    fn from_eval(e: &EvalAltResult) -> ScriptError {
        if let EvalAltResult::ErrorRuntime(value, pos) = e {
            let thrown = thrown_text(value);
            let mut err = ScriptError::at(*pos, thrown.en.clone());
            err.thrown = Some(thrown);
            return err;
        }
        let message = match e {
            EvalAltResult::ErrorTooManyOperations(_) => {
                "the rule ran too long (operation limit reached; does it loop forever?)".to_owned()
            }
            EvalAltResult::ErrorStackOverflow(_) => {
                "the rule calls itself too deeply (call depth limit reached)".to_owned()
            }
            EvalAltResult::ErrorDataTooLarge(what, _) => {
                format!("the rule built data too large: {what} exceeds its limit")
            }
            EvalAltResult::ErrorTerminated(..) => {
                "the rule ran too long (operation limit reached)".to_owned()
            }
            other => other.to_string(),
        };
        ScriptError::at(e.position(), message)
    }
}

/// The text of a thrown value: text for both languages, or a `#{ zh, en }` map.
fn thrown_text(v: &Dynamic) -> Text {
    if let Some(map) = v.read_lock::<rhai::Map>() {
        let get =
            |k: &str| map.get(k).and_then(|v| v.clone().into_immutable_string().ok()).map(|s| s.to_string());
        if let (Some(zh), Some(en)) = (get("zh"), get("en")) {
            return Text::new(zh, en);
        }
    }
    let text = v.clone().into_immutable_string().map_or_else(|_| v.to_string(), |s| s.to_string());
    Text::new(text.clone(), text)
}

/// The shared engine for a set of limits (built once per set, then reused by every bundle
/// and every evaluation).
pub fn engine(limits: &Limits) -> Arc<Engine> {
    static ENGINES: OnceLock<Mutex<HashMap<Limits, Arc<Engine>>>> = OnceLock::new();
    let engines = ENGINES.get_or_init(|| Mutex::new(HashMap::new()));
    // A poisoned lock only means another thread panicked while inserting; the map is
    // still usable.
    let mut map = engines.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    Arc::clone(map.entry(*limits).or_insert_with(|| Arc::new(build(limits))))
}

fn build(limits: &Limits) -> Engine {
    let mut e = Engine::new();
    // Rhai's string interner is one lock per engine, and with the `sync` feature a thread
    // that finds it taken sleeps 10 ms before trying again: two threads evaluating with
    // the shared engine ran no faster than one. Without it, property names are allocated
    // per use, at no measurable cost for one thread.
    e.set_max_strings_interned(0);
    e.disable_symbol("eval");
    e.set_max_operations(limits.operations);
    e.set_max_call_levels(limits.call_levels);
    e.set_max_expr_depths(limits.expr_depth, limits.function_expr_depth);
    e.set_max_string_size(limits.string_size);
    e.set_max_array_size(limits.array_size);
    e.set_max_map_size(limits.map_size);
    e.on_print(|s| with_context(|c| c.output.push(s.to_owned())));
    e.on_debug(|s, _, pos| {
        with_context(|c| c.output.push(format!("debug (line {}): {s}", pos.line().unwrap_or(0))))
    });
    e.on_progress(|ops| {
        with_context(|c| c.operations = ops);
        None
    });
    api::register(&mut e);
    e
}

/// Compiles a script with the engine for these limits.
pub fn compile(source: &str, limits: &Limits) -> Result<AST, ScriptError> {
    engine(limits).compile(source).map_err(|e| ScriptError::at(e.position(), e.err_type().to_string()))
}

/// What the functions of one evaluation can see (thread-local while a session runs).
pub(crate) struct Context {
    /// `form` as the host set it (`missing` reads it; scripts read a copy).
    pub form: rhai::Map,
    /// `materials` as the host set it (`has_material` and `material_status` read it).
    pub materials: rhai::Map,
    pub calendar: Arc<Calendar>,
    pub output: Vec<String>,
    pub operations: u64,
}

thread_local! {
    static CONTEXT: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// Runs `f` on the current session's context, if a session is running on this thread.
pub(crate) fn with_context<R: Default>(f: impl FnOnce(&mut Context) -> R) -> R {
    CONTEXT.with(|c| c.borrow_mut().as_mut().map(f).unwrap_or_default())
}

/// The inputs of one evaluation, converted to Rhai values once.
#[derive(Debug, Clone)]
pub struct Vars {
    form: rhai::Map,
    materials: rhai::Map,
    applicant: Dynamic,
    commitments: rhai::Array,
    today: Option<Date>,
    calendar: Arc<Calendar>,
}

impl Vars {
    /// The canonical values rules see as `form`, the evaluation date and the calendar.
    pub fn new(values: &Map<String, Value>, today: Date, calendar: Arc<Calendar>) -> Vars {
        Vars::maybe_dated(values, Some(today), calendar)
    }

    /// Like [`Vars::new`]; without a date, `today` is `()` and a rule using it fails.
    pub fn maybe_dated(values: &Map<String, Value>, today: Option<Date>, calendar: Arc<Calendar>) -> Vars {
        Vars::with_form(to_rhai_map(values), today, calendar)
    }

    /// Like [`Vars::maybe_dated`], with `form` already converted (see [`to_dynamic`]).
    pub fn with_form(form: rhai::Map, today: Option<Date>, calendar: Arc<Calendar>) -> Vars {
        Vars {
            form,
            materials: rhai::Map::new(),
            applicant: Dynamic::from_map(rhai::Map::new()),
            commitments: rhai::Array::new(),
            today,
            calendar,
        }
    }

    /// Material statuses by reuse key.
    pub fn materials(mut self, materials: Map<String, Value>) -> Vars {
        self.materials = to_rhai_map(&materials);
        self
    }

    /// A submission's material statuses by reuse key.
    pub(crate) fn material_statuses<'a>(
        mut self,
        statuses: impl IntoIterator<Item = (&'a String, &'a MaterialStatus)>,
    ) -> Vars {
        self.materials =
            statuses.into_iter().map(|(k, s)| (k.as_str().into(), Dynamic::from(s.as_str()))).collect();
        self
    }

    /// Facts about the applicant.
    pub fn applicant(mut self, applicant: Value) -> Vars {
        self.applicant = to_dynamic(&applicant);
        self
    }

    /// A submission's facts about the applicant: `#{ dishonest, attributes }`.
    pub(crate) fn applicant_facts(mut self, a: &Applicant) -> Vars {
        let mut facts = rhai::Map::new();
        facts.insert("dishonest".into(), Dynamic::from_bool(a.dishonest));
        facts.insert("attributes".into(), map_to_dynamic(&a.attributes));
        self.applicant = Dynamic::from_map(facts);
        self
    }

    /// Commitments signed.
    pub fn commitments(mut self, commitments: Vec<String>) -> Vars {
        self.commitments = commitments.into_iter().map(Dynamic::from).collect();
        self
    }
}

/// One rule run: its value (or error), the operations it used and what it printed.
#[derive(Debug, Clone)]
pub struct Run {
    /// What the script returned.
    pub value: Result<Dynamic, ScriptError>,
    /// Operations performed.
    pub operations: u64,
    /// What `print` and `debug` wrote.
    pub output: Vec<String>,
}

/// One evaluation: the submission converted once, then any number of rules run against it.
/// A session belongs to the thread that made it.
pub struct Session {
    engine: Arc<Engine>,
    scope: Scope<'static>,
    /// Entries below this are the constants; a run's own variables are above.
    base: usize,
    /// The constants other than `form` and `materials` (kept in the context), to restore.
    applicant: Dynamic,
    commitments: Dynamic,
    today: Dynamic,
}

impl Session {
    /// Opens a session (its context stays installed on this thread until it is dropped).
    pub fn new(limits: &Limits, vars: Vars) -> Session {
        let today = vars.today.map_or(Dynamic::UNIT, Dynamic::from);
        CONTEXT.with(|c| {
            *c.borrow_mut() = Some(Context {
                form: vars.form,
                materials: vars.materials,
                calendar: vars.calendar,
                output: Vec::new(),
                operations: 0,
            });
        });
        let mut session = Session {
            engine: engine(limits),
            scope: Scope::new(),
            base: 0,
            applicant: vars.applicant,
            commitments: Dynamic::from_array(vars.commitments),
            today,
        };
        session.push_constants();
        session
    }

    /// Fills the scope with the constants scripts see, copied from the host's values.
    fn push_constants(&mut self) {
        self.scope.clear();
        let (form, materials) = with_context(|c| (Some(c.form.clone()), Some(c.materials.clone())));
        self.scope.push_constant("materials", materials.unwrap_or_default());
        self.scope.push_constant_dynamic("applicant", self.applicant.clone());
        self.scope.push_constant_dynamic("commitments", self.commitments.clone());
        self.scope.push_constant_dynamic("today", self.today.clone());
        // `form` comes last: `set_form_value` edits it in place.
        self.scope.push_constant("form", form.unwrap_or_default());
        self.base = self.scope.len();
    }

    /// Sets (`Some`) or removes (`None`) one value of `form`, e.g. a field a derive rule
    /// just computed, for the scripts run after it.
    pub fn set_form_value(&mut self, key: &str, value: Option<&Value>) {
        let edit = |form: &mut rhai::Map| match value {
            Some(v) => form.insert(key.into(), to_dynamic(v)),
            None => form.remove(key),
        };
        with_context(|c| edit(&mut c.form));
        // Scripts cannot change the constant `form`; the host changes the scope's copy in place.
        if let Some(form) = self.scope.get_value_mut::<rhai::Map>("form") {
            edit(form);
        }
    }

    /// Runs one compiled script.
    pub fn run(&mut self, ast: &AST) -> Run {
        self.run_with(ast, None)
    }

    /// Runs a transform script with `value` bound.
    pub fn run_with(&mut self, ast: &AST, value: Option<Dynamic>) -> Run {
        with_context(|c| {
            c.output.clear();
            c.operations = 0;
        });
        if let Some(v) = value {
            self.scope.push_constant_dynamic("value", v);
        }
        let result = self.engine.eval_ast_with_scope::<Dynamic>(&mut self.scope, ast);
        self.scope.rewind(self.base);
        // A closure capturing a constant makes it shared, and a shared value can be changed
        // through the closure: the next script gets fresh copies, so no rule can change what
        // the rules after it see.
        if self.scope.iter_raw().any(|(_, _, v)| v.is_shared()) {
            self.push_constants();
        }
        let (operations, output) = with_context(|c| (c.operations, std::mem::take(&mut c.output)));
        Run { value: result.map_err(|e| ScriptError::from_eval(&e)), operations, output }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        CONTEXT.with(|c| *c.borrow_mut() = None);
    }
}

/// Converts JSON to a Rhai value: `null` is `()`, integers are `i64` (larger ones `f64`),
/// other numbers `f64`. Written out rather than through serde, which is several times
/// slower on the submission-sized maps converted at every evaluation.
pub fn to_dynamic(v: &Value) -> Dynamic {
    match v {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from_int(i),
            None => Dynamic::from_float(n.as_f64().unwrap_or(f64::NAN)),
        },
        // Through `&str`: a short text then needs no allocation of its own before sharing.
        Value::String(s) => Dynamic::from(rhai::ImmutableString::from(s.as_str())),
        Value::Array(a) => Dynamic::from_array(a.iter().map(to_dynamic).collect()),
        Value::Object(m) => map_to_dynamic(m),
    }
}

fn map_to_dynamic(m: &Map<String, Value>) -> Dynamic {
    Dynamic::from_map(to_rhai_map(m))
}

/// Converts a JSON object to a Rhai map, values by [`to_dynamic`].
pub fn to_rhai_map(m: &Map<String, Value>) -> rhai::Map {
    m.iter().map(|(k, v)| (k.as_str().into(), to_dynamic(v))).collect()
}

/// Converts a Rhai value to JSON: dates become `YYYY-MM-DD` text, `()` becomes `null`;
/// `None` for values with no JSON form (functions, for one).
pub fn to_json(v: &Dynamic) -> Option<Value> {
    if let Some(d) = v.clone().try_cast::<Date>() {
        return Some(Value::String(d.to_string()));
    }
    if let Some(list) = v.read_lock::<rhai::Array>() {
        return list.iter().map(to_json).collect::<Option<Vec<_>>>().map(Value::Array);
    }
    if let Some(map) = v.read_lock::<rhai::Map>() {
        return map
            .iter()
            .map(|(k, v)| to_json(v).map(|v| (k.to_string(), v)))
            .collect::<Option<Map<_, _>>>()
            .map(Value::Object);
    }
    rhai::serde::from_dynamic::<Value>(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> Run {
        let limits = Limits::default();
        let ast = compile(src, &limits).unwrap();
        let values = serde_json::json!({"a": 1});
        let vars = Vars::new(values.as_object().unwrap(), "2026-01-05".parse().unwrap(), Calendar::prc());
        Session::new(&limits, vars).run(&ast)
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let e = compile("let x = ;\n", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (1, 9));
        assert!(compile("eval(\"1\")", &Limits::default()).is_err());
    }

    #[test]
    fn runaway_scripts_stop_with_a_clear_message() {
        let e = run("loop {}").value.unwrap_err();
        assert!(e.message.contains("operation limit"), "{e}");
        let e = run("fn f(x) { f(x + 1) } f(0)").value.unwrap_err();
        assert!(e.message.contains("call depth") || e.message.contains("too deeply"), "{e}");
        let e = run(r#"let s = "ab"; loop { s += s; }"#).value.unwrap_err();
        assert!(e.message.contains("too large"), "{e}");
        let e = run("let a = []; loop { a.push(1); }").value.unwrap_err();
        assert!(e.message.contains("too large") || e.message.contains("operation limit"), "{e}");
        let e = run("no_such_function(1)").value.unwrap_err();
        assert!(e.message.contains("no_such_function"), "{e}");
        assert_eq!(run("form[\"a\"] == 1").value.unwrap().as_bool(), Ok(true));
    }

    #[test]
    fn the_shared_engine_takes_no_lock_while_scripts_run() {
        assert_eq!(engine(&Limits::default()).max_strings_interned(), 0);
    }

    #[test]
    fn print_goes_to_the_run_not_stdout() {
        let r = run("print(\"hello\"); debug(42); true");
        assert_eq!(r.output, vec!["hello".to_string(), "debug (line 1): 42".to_string()]);
        assert!(r.operations > 0);
    }

    #[test]
    fn set_form_value_is_seen_by_later_scripts_even_after_a_closure_captured_form() {
        let limits = Limits::default();
        let values = serde_json::json!({"a": 1});
        let vars = Vars::new(values.as_object().unwrap(), "2026-01-05".parse().unwrap(), Calendar::prc());
        let mut session = Session::new(&limits, vars);
        let read_b = compile("form[\"b\"]", &limits).unwrap();
        session.set_form_value("b", Some(&serde_json::json!(2)));
        assert_eq!(session.run(&read_b).value.unwrap().as_int(), Ok(2));
        // A closure capturing `form` makes it shared: it is then replaced, not changed in place.
        let capture = compile("let f = || form[\"a\"]; f.call()", &limits).unwrap();
        assert_eq!(session.run(&capture).value.unwrap().as_int(), Ok(1));
        session.set_form_value("b", Some(&serde_json::json!(3)));
        assert_eq!(session.run(&read_b).value.unwrap().as_int(), Ok(3));
        session.set_form_value("b", None);
        assert!(session.run(&read_b).value.unwrap().is_unit());
        let change = compile("form[\"a\"] = 5; form[\"a\"]", &limits).unwrap();
        assert!(session.run(&change).value.is_err(), "form is a constant");
        // Nor through a method, though `form` is shared with the host.
        let remove = compile("form.remove(\"a\"); 0", &limits).unwrap();
        assert!(session.run(&remove).value.is_err(), "form is a constant");
        let clear = compile("materials.clear(); 0", &limits).unwrap();
        assert!(session.run(&clear).value.is_err(), "materials is a constant");
        let read_a = compile("form[\"a\"]", &limits).unwrap();
        assert_eq!(session.run(&read_a).value.unwrap().as_int(), Ok(1));
    }

    #[test]
    fn no_rule_changes_what_the_rules_after_it_see() {
        let limits = Limits::default();
        let values = serde_json::json!({"a": 1});
        let vars = Vars::new(values.as_object().unwrap(), "2026-01-05".parse().unwrap(), Calendar::prc())
            .materials(serde_json::json!({"m": "provided"}).as_object().unwrap().clone())
            .commitments(vec!["c".into()]);
        let mut session = Session::new(&limits, vars);
        // Capturing a constant in a closure shares it; through the closure it could be changed.
        for tamper in [
            "let f = || { materials[\"m\"] = \"missing\"; }; f.call(); 0",
            "let f = || { form[\"a\"] = 5; }; f.call(); 0",
            "let f = || { commitments.clear(); applicant.x = 1; today = 0; }; f.call(); 0",
        ] {
            let _ = session.run(&compile(tamper, &limits).unwrap());
            let look = "[form[\"a\"], materials[\"m\"], commitments.len(), applicant.x, type_of(today), \
                        has_material(\"m\"), missing([\"a\"]).len()]";
            let seen = to_json(&session.run(&compile(look, &limits).unwrap()).value.unwrap()).unwrap();
            assert_eq!(seen, serde_json::json!([1, "provided", 1, null, "Date", true, 0]), "{tamper}");
        }
    }

    #[test]
    fn per_bundle_limits_build_their_own_engine() {
        let tight = Limits { operations: 50, ..Limits::default() };
        let ast = compile("let x = 0; for i in 0..100 { x += i } x", &tight).unwrap();
        let vars = Vars::new(&Map::new(), "2026-01-05".parse().unwrap(), Calendar::prc());
        assert!(Session::new(&tight, vars.clone()).run(&ast).value.is_err());
        assert!(Session::new(&Limits::default(), vars).run(&ast).value.is_ok());
    }
}
