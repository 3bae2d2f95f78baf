//! The sandboxed engine, its limits, and one evaluation's session.

use std::sync::{Arc, OnceLock};

use rhai::packages::{
    BasicArrayPackage, BasicMapPackage, BasicMathPackage, CorePackage, LogicPackage, MoreStringPackage,
    Package,
};
use rhai::{AST, Dynamic, Engine, EvalAltResult, ImmutableString, Position, Scope};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::api;
use super::context::{self, Context, with_context};
use super::meter::{self, charge, size_of};
use super::record::Record;
use crate::base::calendar::Calendar;
use crate::base::date::Date;
use crate::base::text::Text;

/// Limits of the rule sandbox. Every limit turns a runaway script into an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Operations one rule may perform. Functions whose work grows with their input (an
    /// array's `contains`, `working_days_between`, `print`…) count operations per element,
    /// character or day they go through, so that the count bounds time, not only steps.
    pub operations: u64,
    /// Operations every rule of one evaluation may perform together: a bundle of many rules
    /// each under its own limit still cannot make one decision run long.
    pub evaluation_operations: u64,
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
            evaluation_operations: 1_000_000,
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
            EvalAltResult::ErrorTerminated(why, _) => {
                match why.read_lock::<ImmutableString>().as_deref().map(|s| s.as_str()) {
                    Some(meter::EVALUATION_SPENT) => "the rules of this evaluation together ran too long \
                    (evaluation operation limit reached)"
                        .to_owned(),
                    _ => "the rule ran too long (operation limit reached; does it loop forever?)".to_owned(),
                }
            }
            // A function's failure and a comparison of values of different kinds (see
            // `api::error`, `strict`): the message alone; the place is in `line`/`column`.
            EvalAltResult::ErrorArithmetic(message, _) => message.clone(),
            EvalAltResult::ErrorMismatchDataType(expected, message, _) if expected.is_empty() => {
                message.clone()
            }
            other => other.to_string(),
        };
        ScriptError::at(e.position(), message)
    }
}

/// The text of a thrown value: text for both languages, or a `#{ zh, en }` map.
/// Text a script returned: a string (the same in both languages) or a `#{ zh, en }` map
/// (one of them alone stands for both); `None` for anything else.
pub(crate) fn text_of(v: &Dynamic) -> Option<Text> {
    if let Ok(s) = v.clone().into_immutable_string() {
        return Some(Text::new(s.to_string(), s.to_string()));
    }
    let map = v.read_lock::<rhai::Map>()?;
    let get =
        |k: &str| map.get(k).and_then(|v| v.clone().into_immutable_string().ok()).map(|s| s.to_string());
    match (get("zh"), get("en")) {
        (Some(zh), Some(en)) => Some(Text::new(zh, en)),
        (Some(one), None) | (None, Some(one)) => Some(Text::new(one.clone(), one)),
        (None, None) => None,
    }
}

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

/// The engine for one set of limits, and those limits: what compiles scripts and opens
/// sessions. Cloning it shares the engine. A compiled bundle holds one for its limits, so
/// an engine lives as long as the bundles using it; the default limits' engine is built
/// once per process and shared by every bundle that keeps them.
#[derive(Clone)]
pub struct Sandbox {
    engine: Arc<Engine>,
    limits: Limits,
}

impl Sandbox {
    /// The sandbox for `limits` (building an engine takes about as long as compiling a
    /// small bundle: keep the sandbox, do not build one per evaluation).
    pub fn new(limits: Limits) -> Sandbox {
        static DEFAULT: OnceLock<Arc<Engine>> = OnceLock::new();
        let engine = if limits == Limits::default() {
            Arc::clone(DEFAULT.get_or_init(|| Arc::new(build(&limits))))
        } else {
            Arc::new(build(&limits))
        };
        Sandbox { engine, limits }
    }

    /// Its limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Compiles a script.
    pub fn compile(&self, source: &str) -> Result<AST, ScriptError> {
        if source.len() > MAX_SCRIPT_BYTES {
            return Err(ScriptError::general(format!(
                "the script is {} bytes long, over the limit of {MAX_SCRIPT_BYTES}; split it into several rules",
                source.len()
            )));
        }
        self.engine.compile(source).map_err(|e| ScriptError::at(e.position(), e.err_type().to_string()))
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new(Limits::default())
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("limits", &self.limits).finish_non_exhaustive()
    }
}

impl PartialEq for Sandbox {
    fn eq(&self, other: &Sandbox) -> bool {
        self.limits == other.limits
    }
}

// Rhai's standard library less its blob functions: nothing a rule reads (JSON values, dates)
// or returns is binary, and they were a sizeable part of what Rhai adds to the WebAssembly
// module (issue 24). Less its bit-field functions too (`get_bit`, `set_bits`, `bits()`…):
// 1.7 KiB gzipped of a module at its size ceiling, and the operators `&`, `|`, `^`, `<<` and
// `>>` (the core package) still read a bit: `((n >> 3) & 1) == 1`. `Engine::new` would register
// the whole `StandardPackage`.
rhai::def_package! {
    /// The functions of Rhai's standard library that rules can use.
    RulePackage(_lib):
        CorePackage, LogicPackage, BasicMathPackage, BasicArrayPackage, BasicMapPackage,
        MoreStringPackage
    {}
}

fn build(limits: &Limits) -> Engine {
    let mut e = Engine::new_raw();
    e.register_global_module(RulePackage::new().as_shared_module());
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
    e.on_print(|s| with_context(|c| c.print(s.to_owned())));
    e.on_debug(|s, _, pos| {
        with_context(|c| c.print(format!("debug (line {}): {s}", pos.line().unwrap_or(0))))
    });
    // Reading a variable copies its value (or lends it to a function that walks it): charge
    // one operation per element of an array or a map, and per 16 bytes of text, read. The
    // inputs (`form`, `materials`, `applicant`: shared read-only records; `today`,
    // `commitments`) are skipped without a look-up.
    #[allow(deprecated)] // `on_var` is marked volatile, not deprecated (see its docs).
    e.on_var(|name, _, context| {
        if !matches!(name, "form" | "materials" | "applicant" | "today" | "commitments") {
            if let Some(value) = context.scope().get(name) {
                charge(size_of(value));
            }
        }
        Ok(None)
    });
    // Called at every operation: plain cells, not the session's context.
    e.on_progress(|ops| meter::progress(ops).map(|spent| Dynamic::from(ImmutableString::from(spent))));
    api::register(&mut e);
    e
}

/// The longest script accepted, in bytes. Real rules are a few lines; the cost of one run
/// grows with a script's length (each `let` adds a variable the next lookups pass), so a
/// megabyte of script would cost seconds however few operations it counts.
pub const MAX_SCRIPT_BYTES: usize = 16 << 10;

/// Compiles a script in a sandbox with these limits (see [`Sandbox::compile`]).
pub fn compile(source: &str, limits: &Limits) -> Result<AST, ScriptError> {
    Sandbox::new(*limits).compile(source)
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

    /// A submission's material statuses by reuse key, as spelled in JSON (`"provided"`…).
    pub(crate) fn material_statuses<'a>(
        mut self,
        statuses: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Vars {
        self.materials = statuses.into_iter().map(|(k, s)| (k.into(), status_text(s))).collect();
        self
    }

    /// Facts about the applicant.
    pub fn applicant(mut self, applicant: Value) -> Vars {
        self.applicant = to_dynamic(&applicant);
        self
    }

    /// A submission's facts about the applicant: `#{ dishonest, attributes }`.
    pub(crate) fn applicant_facts(mut self, dishonest: bool, attributes: &Map<String, Value>) -> Vars {
        let mut facts = rhai::Map::new();
        facts.insert("dishonest".into(), Dynamic::from_bool(dishonest));
        facts.insert("attributes".into(), map_to_dynamic(attributes));
        self.applicant = Dynamic::from_map(facts);
        self
    }

    /// Commitments signed.
    pub fn commitments(mut self, commitments: Vec<String>) -> Vars {
        self.commitments = commitments.into_iter().map(Dynamic::from).collect();
        self
    }
}

/// A material status as Rhai text. The four statuses are allocated once and then shared
/// (a submission names every material, at every evaluation).
#[inline]
fn status_text(status: &str) -> Dynamic {
    static TEXTS: OnceLock<[ImmutableString; 4]> = OnceLock::new();
    let texts =
        TEXTS.get_or_init(|| ["provided", "missing", "committed", "shared"].map(ImmutableString::from));
    let [provided, missing, committed, shared] = texts;
    let text = match status {
        "provided" => provided.clone(),
        "missing" => missing.clone(),
        "committed" => committed.clone(),
        "shared" => shared.clone(),
        other => other.into(),
    };
    Dynamic::from(text)
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
///
/// The inputs are constants of the scope, pushed once, and no script can change what the
/// scripts after it see: `form`, `materials` and `applicant` are read-only [`Record`]s,
/// `commitments` and `today` are constants (Rhai refuses assignments and mutating methods on
/// them), and the engine has no closures that capture (`no_closure`), the one way a
/// constant could become a shared, writable value.
pub struct Session {
    engine: Arc<Engine>,
    scope: Scope<'static>,
    /// Entries below this are the constants; a run's own variables are above.
    base: usize,
    /// What this session's functions see. It is installed on the thread only while one of
    /// its scripts runs, so that sessions never see each other's (a transform's session
    /// opened while an evaluation's is open used to replace it, and its end left the
    /// evaluation's later rules reading nothing: no materials, no calendar).
    context: Option<Context>,
    /// The limit of one run.
    rule_limit: u64,
    /// What is left of the evaluation's operations.
    left: u64,
}

impl Session {
    /// Opens a session.
    pub fn new(sandbox: &Sandbox, vars: Vars) -> Session {
        let form = Record::new(vars.form);
        let materials = Record::new(vars.materials);
        let applicant = match vars.applicant.try_cast_result::<rhai::Map>() {
            Ok(map) => Dynamic::from(Record::new(map)),
            Err(other) => other,
        };
        let mut scope = Scope::new();
        scope.push_constant("materials", materials.clone());
        scope.push_constant_dynamic("applicant", applicant);
        scope.push_constant("commitments", vars.commitments);
        scope.push_constant_dynamic("today", vars.today.map_or(Dynamic::UNIT, Dynamic::from));
        scope.push_constant("form", form.clone());
        let context =
            Context { form, materials, calendar: vars.calendar, output: Vec::new(), output_bytes: 0 };
        Session {
            engine: Arc::clone(&sandbox.engine),
            base: scope.len(),
            scope,
            context: Some(context),
            rule_limit: sandbox.limits.operations,
            left: sandbox.limits.evaluation_operations,
        }
    }

    /// Sets (`Some`) or removes (`None`) one value of `form`, e.g. a field a derive rule
    /// just computed, for the scripts run after it.
    pub fn set_form_value(&mut self, key: &str, value: Option<&Value>) {
        let Some(form) = self.scope.get_value_mut::<Record>("form") else { return };
        // The context's share is dropped first, so that the map is changed in place.
        if let Some(c) = self.context.as_mut() {
            c.form = Record::default();
        }
        let map = form.make_mut();
        match value {
            Some(v) => map.insert(key.into(), to_dynamic(v)),
            None => map.remove(key),
        };
        let shared = form.clone();
        if let Some(c) = self.context.as_mut() {
            c.form = shared;
        }
    }

    /// Runs one compiled script.
    pub fn run(&mut self, ast: &AST) -> Run {
        self.run_with(ast, None)
    }

    /// Runs a transform script with `value` bound.
    pub fn run_with(&mut self, ast: &AST, value: Option<Dynamic>) -> Run {
        self.run_bound(ast, value.map(|v| ("value", v)).into_iter().collect())
    }

    /// Runs a script with these constants bound besides the session's own (`element` and
    /// `index` for a rule run on each element of a list). They are gone after the run.
    pub fn run_bound(&mut self, ast: &AST, bindings: Vec<(&'static str, Dynamic)>) -> Run {
        if let Some(c) = self.context.as_mut() {
            c.output.clear();
            c.output_bytes = 0;
        }
        for (name, v) in bindings {
            self.scope.push_constant_dynamic(name, v);
        }
        let (engine, scope) = (&self.engine, &mut self.scope);
        let (result, operations) =
            context::installed(&mut self.context, (self.rule_limit, self.left), || {
                engine.eval_ast_with_scope::<Dynamic>(scope, ast)
            });
        self.scope.rewind(self.base);
        self.left = self.left.saturating_sub(operations);
        let output = self.context.as_mut().map(|c| std::mem::take(&mut c.output)).unwrap_or_default();
        Run { value: result.map_err(|e| ScriptError::from_eval(&e)), operations, output }
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
    if let Some(d) = v.read_lock::<Date>() {
        return Some(Value::String(d.to_string()));
    }
    if let Some(list) = v.read_lock::<rhai::Array>() {
        return list.iter().map(to_json).collect::<Option<Vec<_>>>().map(Value::Array);
    }
    if let Some(map) = v.read_lock::<rhai::Map>() {
        return map_to_json(&map);
    }
    if let Some(record) = v.read_lock::<Record>() {
        return map_to_json(record.map());
    }
    scalar_to_json(v)
}

/// A scalar Rhai value as JSON (a character as text, a number that is not finite as `null`,
/// as `serde_json` writes one); `None` for what has no JSON form (a function pointer, a
/// custom type).
fn scalar_to_json(v: &Dynamic) -> Option<Value> {
    if v.is_unit() {
        return Some(Value::Null);
    }
    if let Ok(b) = v.as_bool() {
        return Some(Value::Bool(b));
    }
    if let Ok(i) = v.as_int() {
        return Some(Value::Number(i.into()));
    }
    if let Ok(x) = v.as_float() {
        return Some(serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number));
    }
    if let Ok(c) = v.as_char() {
        return Some(Value::String(c.to_string()));
    }
    v.read_lock::<rhai::ImmutableString>().map(|s| Value::String(s.to_string()))
}

fn map_to_json(map: &rhai::Map) -> Option<Value> {
    map.iter()
        .map(|(k, v)| to_json(v).map(|v| (k.to_string(), v)))
        .collect::<Option<Map<_, _>>>()
        .map(Value::Object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::context::MAX_OUTPUT_BYTES;

    fn run(src: &str) -> Run {
        let limits = Limits::default();
        let ast = compile(src, &limits).unwrap();
        let values = serde_json::json!({"a": 1});
        let vars = Vars::new(values.as_object().unwrap(), "2026-01-05".parse().unwrap(), Calendar::prc());
        Session::new(&Sandbox::new(limits), vars).run(&ast)
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
    fn rule_results_convert_to_json_as_serde_json_writes_them() {
        let json = |src: &str| to_json(&run(src).value.unwrap());
        assert_eq!(json("()"), Some(Value::Null));
        assert_eq!(json("true"), Some(serde_json::json!(true)));
        assert_eq!(json("40 + 2"), Some(serde_json::json!(42)));
        assert_eq!(json("0.5 * 3.0"), Some(serde_json::json!(1.5)));
        assert_eq!(json("0.0 / 0.0"), Some(Value::Null), "NaN has no JSON form");
        assert_eq!(json("'字'"), Some(serde_json::json!("字")));
        assert_eq!(json("\"某公司\""), Some(serde_json::json!("某公司")));
        assert_eq!(json("[1, #{a: [()]}]"), Some(serde_json::json!([1, {"a": [null]}])));
        assert_eq!(json("date(\"2026-01-05\")"), Some(serde_json::json!("2026-01-05")));
        assert_eq!(json("Fn(\"date\")"), None, "a function pointer has none");
        assert_eq!(json("[Fn(\"date\")]"), None);
    }

    /// A script of many cheap steps over big values: each step walks 10,000 elements.
    const WALKS: &[(&str, &str)] = &[
        ("contains", "a.contains(-1)"),
        ("in", "-1 in a"),
        ("index_of", "a.index_of(-1)"),
        ("index_of from", "a.index_of(-1, 0)"),
        ("==", "a == b"),
        ("!=", "!(a != b)"),
    ];

    #[test]
    fn functions_that_walk_their_input_pay_per_element() {
        for (what, step) in WALKS {
            let src =
                format!("let a = []; a.pad(10000, 0); let b = a; let n = 0; loop {{ {step}; n += 1; }}");
            let run = run(&src);
            let e = run.value.unwrap_err();
            assert!(e.message.contains("operation limit"), "{what}: {e}");
            // Stopped after about ten walks, not tens of thousands.
            assert!(run.operations <= Limits::default().operations + 10_000, "{what}: {}", run.operations);
        }
    }

    /// Steps that copy or build a big value: reading a variable, building one from a small one.
    const COPIES: &[(&str, &str)] = &[
        ("a copy of an array", "let a = []; a.pad(10000, 0); loop { let b = a; }"),
        ("a copy of a map", "let m = #{}; for i in 0..2000 { m[`k${i}`] = i; } loop { let n = m; }"),
        ("a long text", r#"let s = ""; s.pad(10000, "y"); loop { let t = s.to_upper(); }"#),
        ("a padded temporary", r#"loop { let t = "x".pad(10000, "y"); }"#),
        ("a padded temporary array", "loop { let t = [].pad(10000, 0); }"),
    ];

    #[test]
    fn reading_or_building_big_values_pays_per_element() {
        for (what, src) in COPIES {
            let run = run(src);
            let e = run.value.unwrap_err();
            assert!(e.message.contains("operation limit"), "{what}: {e}");
            assert!(run.operations <= Limits::default().operations + 10_000, "{what}: {}", run.operations);
        }
        // An input read through `form` is charged by its size too.
        let limits = Limits::default();
        let big = serde_json::json!({"list": vec![1; 5000]});
        let vars = Vars::new(big.as_object().unwrap(), "2026-01-01".parse().unwrap(), Calendar::prc());
        let ast = compile(r#"loop { let l = form["list"]; }"#, &limits).unwrap();
        let run = Session::new(&Sandbox::new(limits), vars).run(&ast);
        assert!(run.value.unwrap_err().message.contains("operation limit"));
        assert!(run.operations <= limits.operations + 10_000, "{}", run.operations);
    }

    #[test]
    fn rules_have_the_standard_library_but_blobs_and_bit_fields() {
        let yes = |src: &str| assert_eq!(run(src).value.unwrap().as_bool(), Ok(true), "{src}");
        yes(r#""abc".len() == 3 && "ABC".to_lower() == "abc" && "a,b".split(",") == ["a", "b"]"#);
        yes(r#"parse_int("42") == 42 && parse_float("1.5") == 1.5 && abs(-3) == 3 && floor(2.7) == 2.0"#);
        yes(r#"let a = [3, 1, 2]; a.sort(); a == [1, 2, 3] && a.map(|x| x * 2) == [2, 4, 6]"#);
        yes(
            r#"let m = #{a: 1}; m.keys() == ["a"] && type_of(m) == "map" && ((5 >> 2) & 1) == 1 && max(1, 2) == 2"#,
        );
        yes(r#"let n = 0; for i in 0..3 { n += i; } let s = "x"; s.pad(3, "y"); n == 3 && s == "xyy""#);
        assert!(run("blob(3)").value.unwrap_err().message.contains("Function not found"));
        assert!(run("5.get_bit(0)").value.unwrap_err().message.contains("Function not found"));
    }

    #[test]
    fn charged_functions_keep_their_meaning() {
        let pads = r#"let s = "ab"; s.pad(5, "xy"); let t = "ab"; t.pad(4, 'z'); let u = "abc"; u.pad(2, "q");
                      let a = [1]; a.pad(3, 0); let b = [1, 2]; b.pad(-1, 0);
                      s == "abxyx" && t == "abzz" && u == "abc" && a == [1, 0, 0] && b == [1, 2]"#;
        assert_eq!(run(pads).value.unwrap().as_bool(), Ok(true));
        assert!(run(r#"let s = ""; s.pad(20000, "y")"#).value.unwrap_err().message.contains("too large"));
        assert!(run("let a = []; a.pad(20000, 0)").value.unwrap_err().message.contains("too large"));
        let yes = |src: &str| assert_eq!(run(src).value.unwrap().as_bool(), Ok(true), "{src}");
        yes("[1, 2, 3].contains(2) && !([1, 2, 3].contains(5)) && 2 in [1, 2] && !(5 in [])");
        // Membership compares as `==` does: values of different kinds are an error.
        let mixed = run(r#"[1, 2, 3].contains("2")"#).value.unwrap_err();
        assert!(mixed.message.contains("compares a number with text"), "{mixed}");
        yes("[1, 2, 3, 2].index_of(2) == 1 && [1, 2].index_of(9) == -1 && [1, 2, 3, 2].index_of(2, 2) == 3");
        yes(
            "[1, 2, 3, 2].index_of(2, -1) == 3 && [1, 2].index_of(1, 5) == -1 && [1, 2].index_of(1, -9) == 0",
        );
        yes("[1, [2, \"x\"]] == [1, [2, \"x\"]] && [1, 2] != [1, 3] && [1] != [1, 1] && [] == []");
        yes("[date(\"2024-01-02\")].contains(date(\"2024-01-02\")) && [#{a: 1}] == [#{a: 1}]");
        // The operations a walk cost are in the run's count.
        assert!(run("let a = []; a.pad(500, 0); a.contains(1)").operations >= 500);
    }

    #[test]
    fn the_evaluations_rules_share_one_operation_budget() {
        let limits = Limits { operations: 1_000, evaluation_operations: 5_000, ..Limits::default() };
        let vars = Vars::new(&Map::new(), "2026-01-01".parse().unwrap(), Calendar::prc());
        let mut session = Session::new(&Sandbox::new(limits), vars);
        let busy = compile("let n = 0; while n < 100 { n += 1; } true", &limits).unwrap();
        let mut spent = 0;
        loop {
            let run = session.run(&busy);
            match run.value {
                Ok(_) => spent += run.operations,
                Err(e) => {
                    assert!(e.message.contains("evaluation operation limit"), "{e}");
                    break;
                }
            }
            assert!(spent <= 5_000, "{spent}");
        }
        assert!(spent >= 4_000, "{spent}");
    }

    #[test]
    fn a_session_opened_inside_another_leaves_it_its_context() {
        let limits = Limits::default();
        let materials = serde_json::json!({"doc": "provided"});
        let outer_vars = Vars::new(&Map::new(), "2026-10-09".parse().unwrap(), Calendar::prc())
            .materials(materials.as_object().unwrap().clone());
        let mut outer = Session::new(&Sandbox::new(limits), outer_vars);
        let check = compile(r#"is_working_day(date("2026-10-09")) && has_material("doc")"#, &limits).unwrap();
        assert_eq!(outer.run(&check).value.unwrap().as_bool(), Ok(true));
        {
            // A transform's session, opened and closed between two of the outer rules.
            let inner_vars = Vars::new(&Map::new(), "2026-10-09".parse().unwrap(), Calendar::prc());
            let mut inner = Session::new(&Sandbox::new(limits), inner_vars);
            assert_eq!(inner.run(&check).value.unwrap().as_bool(), Ok(false));
        }
        assert_eq!(outer.run(&check).value.unwrap().as_bool(), Ok(true));
    }

    #[test]
    fn output_and_scripts_are_bounded() {
        let run = run(r#"let s = "x"; s.pad(5000, "y"); for i in 0..100 { print(s); } true"#);
        let bytes: usize = run.output.iter().map(String::len).sum();
        assert!(bytes <= MAX_OUTPUT_BYTES + 100, "{bytes}");
        assert!(run.output.last().unwrap().contains("cut"), "{:?}", run.output.last());
        let long = "let x = 1;\n".repeat(MAX_SCRIPT_BYTES / 10);
        let e = compile(&long, &Limits::default()).unwrap_err();
        assert!(e.message.contains("over the limit"), "{e}");
    }

    #[test]
    fn the_shared_engine_takes_no_lock_while_scripts_run() {
        assert_eq!(Sandbox::default().engine.max_strings_interned(), 0);
    }

    #[test]
    fn print_goes_to_the_run_not_stdout() {
        let r = run("print(\"hello\"); debug(42); true");
        assert_eq!(r.output, vec!["hello".to_string(), "debug (line 1): 42".to_string()]);
        assert!(r.operations > 0);
    }

    #[test]
    fn set_form_value_is_seen_by_later_scripts() {
        let limits = Limits::default();
        let values = serde_json::json!({"a": 1, "empty": ""});
        let vars = Vars::new(values.as_object().unwrap(), "2026-01-05".parse().unwrap(), Calendar::prc());
        let mut session = Session::new(&Sandbox::new(limits), vars);
        let read_b = compile("[form[\"b\"], missing([\"a\", \"b\", \"empty\"])]", &limits).unwrap();
        let seen = |session: &mut Session| to_json(&session.run(&read_b).value.unwrap()).unwrap();
        assert_eq!(seen(&mut session), serde_json::json!([null, ["b", "empty"]]));
        session.set_form_value("b", Some(&serde_json::json!(2)));
        assert_eq!(seen(&mut session), serde_json::json!([2, ["empty"]]));
        session.set_form_value("b", Some(&serde_json::json!("")));
        assert_eq!(seen(&mut session), serde_json::json!(["", ["b", "empty"]]));
        session.set_form_value("empty", Some(&serde_json::json!("x")));
        session.set_form_value("b", None);
        assert_eq!(seen(&mut session), serde_json::json!([null, ["b"]]));
    }

    #[test]
    fn no_rule_changes_what_the_rules_after_it_see() {
        let limits = Limits::default();
        let values = serde_json::json!({"a": 1, "list": [1, 2], "nested": {"k": 1}});
        let vars = Vars::new(values.as_object().unwrap(), "2026-01-05".parse().unwrap(), Calendar::prc())
            .materials(serde_json::json!({"m": "provided"}).as_object().unwrap().clone())
            .applicant(serde_json::json!({"dishonest": false, "attributes": {"x": 1}}))
            .commitments(vec!["c".into()]);
        let mut session = Session::new(&Sandbox::new(limits), vars);
        let look = compile(
            "[form.a, form.zzz, form.list, form.nested, materials, commitments, applicant, type_of(today), \
             has_material(\"m\"), missing([\"a\", \"zzz\"])]",
            &limits,
        )
        .unwrap();
        let before = to_json(&session.run(&look).value.unwrap()).unwrap();
        // Writes: each is an error, and changes nothing.
        let writes = [
            "form[\"a\"] = 5",
            "form.a = 5",
            "form.a += 5",
            "form.zzz = 5",
            "form[\"zzz\"] = 5",
            "form.remove(\"a\")",
            "form.list.push(3)",
            "form.nested.k = 2",
            "for x in [applicant] { x.zzz = 1 }",
            "materials[\"m\"] = \"missing\"",
            "materials.zzz = 5",
            "materials.clear()",
            "commitments.clear()",
            "commitments[0] = \"d\"",
            "commitments.push(\"d\")",
            "applicant.dishonest = true",
            "applicant.zzz = 1",
            "applicant.attributes.x = 2",
            "fn f() { this.zzz = 1 } applicant.f()",
            "fn f() { this.a = 7 } form.f()",
            "today = 0",
            "form = #{}",
            // A closure cannot capture a constant (the engine has no capturing closures):
            // inside it, `form` is not defined.
            "let f = || { form[\"a\"] = 5; }; f.call()",
        ];
        // Copies: a script may change what it read, never the original.
        let copies = [
            "let m = applicant.attributes; m.x = 2; m.x",
            "let l = form.list; l.push(3); l.len()",
            "let f = |x| { x.clear(); }; f.call(commitments)",
            // Methods called on a value read through `form` (Rhai then puts the value back
            // through the setter, unchanged).
            "form[\"list\"].len() == 2 && form.list.contains(2) && form[\"list\"].filter(|x| x > 1) == [2]",
            "form.nested.keys() == [\"k\"] && applicant.attributes.len() == 1",
        ];
        for (script, fails) in writes.map(|w| (w, true)).into_iter().chain(copies.map(|c| (c, false))) {
            let run = session.run(&compile(script, &limits).unwrap());
            assert_eq!(run.value.is_err(), fails, "{script}: {:?}", run.value);
            assert_eq!(to_json(&session.run(&look).value.unwrap()).unwrap(), before, "{script}");
        }
        assert_eq!(
            before,
            serde_json::json!([1, null, [1, 2], {"k": 1}, {"m": "provided"}, ["c"],
                {"dishonest": false, "attributes": {"x": 1}}, "Date", true, ["zzz"]])
        );
    }

    #[test]
    fn inputs_read_like_maps() {
        let limits = Limits::default();
        let values = serde_json::json!({"a": 1, "b": ""});
        let vars = Vars::new(values.as_object().unwrap(), "2026-01-05".parse().unwrap(), Calendar::prc())
            .applicant(serde_json::json!({"dishonest": false}));
        let mut session = Session::new(&Sandbox::new(limits), vars);
        let read = "[type_of(form), form.len(), form.is_empty(), form.keys(), form.values(), \"a\" in form, \
                    \"z\" in form, form.contains(\"b\"), `${applicant}`, materials.is_empty(), applicant.dishonest]";
        let seen = to_json(&session.run(&compile(read, &limits).unwrap()).value.unwrap()).unwrap();
        assert_eq!(
            seen,
            serde_json::json!([
                "map",
                2,
                false,
                ["a", "b"],
                [1, ""],
                true,
                false,
                true,
                "#{\"dishonest\": false}",
                true,
                false
            ])
        );
        // A script may return an input whole; it is converted like any map.
        let whole = to_json(&session.run(&compile("applicant", &limits).unwrap()).value.unwrap());
        assert_eq!(whole, Some(serde_json::json!({"dishonest": false})));
    }

    #[test]
    fn per_bundle_limits_build_their_own_engine() {
        let tight = Limits { operations: 50, ..Limits::default() };
        let ast = compile("let x = 0; for i in 0..100 { x += i } x", &tight).unwrap();
        let vars = Vars::new(&Map::new(), "2026-01-05".parse().unwrap(), Calendar::prc());
        assert!(Session::new(&Sandbox::new(tight), vars.clone()).run(&ast).value.is_err());
        assert!(Session::new(&Sandbox::default(), vars).run(&ast).value.is_ok());
    }
}
