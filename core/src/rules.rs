//! Rules written in Rhai, compiled once and run in a sandbox.
//!
//! One engine, configured once, serves every bundle: no `eval`, no modules, no clock, no
//! file or network access, and limits on operations, call depth, expression depth, string,
//! array and map sizes, so a runaway script stops with an error instead of hanging or
//! exhausting memory. `print` and `debug` never reach stdout.
//!
//! A rule sees the submission's canonical values as the map `form`:
//!
//! ```
//! use onething::rules;
//!
//! let ast = rules::compile(r#"let area = form["shop.area"]; area != () && area >= 50"#).unwrap();
//! let form = rules::form_map(&serde_json::json!({"shop.area": 80}));
//! assert_eq!(rules::condition(&ast, &form), Ok(true));
//! ```

use std::sync::OnceLock;

use rhai::{AST, ASTNode, Dynamic, Engine, Expr, Position, Scope};
use serde_json::Value;

/// Default sandbox limits.
pub mod limits {
    /// Operations one evaluation may perform.
    pub const OPERATIONS: u64 = 100_000;
    /// Nested function calls.
    pub const CALL_LEVELS: usize = 32;
    /// Nested expressions at top level.
    pub const EXPR_DEPTH: usize = 64;
    /// Nested expressions inside functions.
    pub const FUNCTION_EXPR_DEPTH: usize = 32;
    /// Characters in one string.
    pub const STRING_SIZE: usize = 10_000;
    /// Elements in one array.
    pub const ARRAY_SIZE: usize = 10_000;
    /// Entries in one map.
    pub const MAP_SIZE: usize = 10_000;
}

/// A script that does not compile, or failed while running.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ScriptError {
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
    /// What went wrong.
    pub message: String,
}

impl ScriptError {
    fn at(pos: Position, message: String) -> ScriptError {
        ScriptError {
            line: pos.line().unwrap_or(0),
            column: pos.position().unwrap_or(0),
            message,
        }
    }
}

/// The shared, sandboxed engine.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut e = Engine::new();
        e.disable_symbol("eval");
        e.set_max_operations(limits::OPERATIONS);
        e.set_max_call_levels(limits::CALL_LEVELS);
        e.set_max_expr_depths(limits::EXPR_DEPTH, limits::FUNCTION_EXPR_DEPTH);
        e.set_max_string_size(limits::STRING_SIZE);
        e.set_max_array_size(limits::ARRAY_SIZE);
        e.set_max_map_size(limits::MAP_SIZE);
        e.on_print(|_| {});
        e.on_debug(|_, _, _| {});
        e
    })
}

/// Compiles a script.
pub fn compile(source: &str) -> Result<AST, ScriptError> {
    engine()
        .compile(source)
        .map_err(|e| ScriptError::at(e.position(), e.err_type().to_string()))
}

/// Converts canonical values into the map a rule sees as `form`.
pub fn form_map(values: &Value) -> Dynamic {
    rhai::serde::to_dynamic(values).unwrap_or(Dynamic::UNIT)
}

/// The canonical keys a script reads, as `form["key"]` with a literal key, each with the
/// position of its first use; `dynamic` is set when the script also indexes `form` with a
/// computed key (or uses `form` whole), so that it may read anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reads {
    /// Literal keys, in order of first appearance, with line and column.
    pub keys: Vec<(String, usize, usize)>,
    /// The script may read keys that are not literals.
    pub dynamic: bool,
}

/// Finds the canonical keys a compiled script reads.
pub fn reads(ast: &AST) -> Reads {
    let mut out = Reads::default();
    let mut literal_uses = 0usize;
    let mut all_uses = 0usize;
    ast.walk(&mut |path: &[ASTNode]| {
        let Some(ASTNode::Expr(expr)) = path.last() else {
            return true;
        };
        match expr {
            Expr::Index(bin, ..) if is_form(&bin.lhs) => {
                if let Expr::StringConstant(key, pos) = &bin.rhs {
                    literal_uses += 1;
                    if !out.keys.iter().any(|(k, ..)| k == key.as_str()) {
                        out.keys.push((
                            key.to_string(),
                            pos.line().unwrap_or(0),
                            pos.position().unwrap_or(0),
                        ));
                    }
                }
            }
            Expr::Variable(..) if is_form(expr) => all_uses += 1,
            _ => {}
        }
        true
    });
    out.dynamic = all_uses > literal_uses;
    out
}

fn is_form(expr: &Expr) -> bool {
    matches!(expr, Expr::Variable(x, ..) if x.1.as_str() == "form")
}

/// Runs a condition: a script that must return `true` or `false`.
pub fn condition(ast: &AST, form: &Dynamic) -> Result<bool, ScriptError> {
    let mut scope = Scope::new();
    scope.push_constant_dynamic("form", form.clone());
    let result: Dynamic = engine()
        .eval_ast_with_scope(&mut scope, ast)
        .map_err(|e| ScriptError::at(e.position(), e.to_string()))?;
    result.as_bool().map_err(|t| ScriptError {
        line: 0,
        column: 0,
        message: format!("a condition must return true or false, this one returned a {t}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn syntax_errors_have_a_position() {
        let e = compile("let x = ;\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 9));
    }

    #[test]
    fn runaway_scripts_stop() {
        let form = form_map(&json!({}));
        let e = condition(&compile("loop {}").unwrap(), &form).unwrap_err();
        assert!(e.message.contains("Too many operations"), "{e}");
        let e = condition(&compile("fn f(x) { f(x + 1) } f(0)").unwrap(), &form).unwrap_err();
        assert!(
            e.message.to_lowercase().contains("stack overflow") || e.message.contains("call"),
            "{e}"
        );
        let e = condition(
            &compile(r#"let s = "ab"; loop { s += s; }"#).unwrap(),
            &form,
        )
        .unwrap_err();
        assert!(e.message.contains("Length of string"), "{e}");
        assert!(compile("eval(\"1\")").is_err());
        assert_eq!(condition(&compile("true").unwrap(), &form), Ok(true));
    }

    #[test]
    fn reads_are_found_in_the_ast() {
        let ast = compile("let a = form[\"shop.area\"];\nif a != () { a >= form[\"min\"] } else { form[\"shop.area\"] == 1 }").unwrap();
        let r = reads(&ast);
        assert_eq!(
            r.keys,
            vec![("shop.area".to_string(), 1, 14), ("min".to_string(), 2, 24)]
        );
        assert!(!r.dynamic);
        let ast = compile("let k = \"x\"; form[k] == 1").unwrap();
        assert!(reads(&ast).dynamic);
        let ast = compile("let f = form; f.len() > 0").unwrap();
        assert!(reads(&ast).dynamic);
    }

    #[test]
    fn conditions_must_be_booleans() {
        let form = form_map(&json!({"a": 1}));
        assert_eq!(
            condition(&compile(r#"form["a"] == 1"#).unwrap(), &form),
            Ok(true)
        );
        let e = condition(&compile("42").unwrap(), &form).unwrap_err();
        assert!(e.message.contains("true or false"), "{e}");
    }
}
