//! What a script reads, found in its syntax tree: the canonical keys (`form["key"]`,
//! `missing(["a", "b"])`) and the materials (`has_material("id")`, `material_status("id")`).
//!
//! Compiling a bundle checks them against the merged form; evaluation converts only the keys
//! rules read; the trace shows their values; the wizard re-runs a rule when one changes.

use rhai::{AST, ASTNode, Expr, FnCallExpr, Stmt};

/// The keys and materials a script reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reads {
    /// Literal canonical keys, in order of first use, with line and column.
    pub keys: Vec<(String, usize, usize)>,
    /// Literal material ids, with line and column.
    pub materials: Vec<(String, usize, usize)>,
    /// The script also uses `form` other than with a literal key (a computed key, or
    /// `form` as a whole), so it may read any key.
    pub dynamic: bool,
    /// Comparisons of a form value with a literal (`form["wage"] >= "1950"`): compiling
    /// warns when the literal's type is not the field's, since Rhai answers `false` to any
    /// comparison of a number with text.
    pub comparisons: Vec<Comparison>,
}

/// A comparison of a form value with a literal, as written in a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The canonical key compared.
    pub key: String,
    /// The operator: `==`, `!=`, `<`, `<=`, `>` or `>=`.
    pub op: String,
    /// The literal, as the script writes it (`"1950"`, `1950`).
    pub literal: String,
    /// Is the literal text (else a number)?
    pub text: bool,
    /// Where the operator is: line and column.
    pub line: usize,
    pub column: usize,
}

/// A literal's text and whether it is text, for a literal string or number.
fn literal(e: &Expr) -> Option<(String, bool)> {
    match e {
        Expr::StringConstant(s, _) => Some((format!("{:?}", s.as_str()), true)),
        Expr::IntegerConstant(i, _) => Some((i.to_string(), false)),
        Expr::FloatConstant(f, _) => Some((f.to_string(), false)),
        _ => None,
    }
}

/// The key of `form["key"]`.
fn form_key(e: &Expr) -> Option<&str> {
    match e {
        Expr::Index(bin, ..) if is_var(&bin.lhs, "form") => match &bin.rhs {
            Expr::StringConstant(key, _) => Some(key.as_str()),
            _ => None,
        },
        _ => None,
    }
}

impl Reads {
    fn key(
        &mut self,
        list: fn(&mut Reads) -> &mut Vec<(String, usize, usize)>,
        name: &str,
        pos: rhai::Position,
    ) {
        let list = list(self);
        if !list.iter().any(|(k, ..)| k == name) {
            list.push((name.to_owned(), pos.line().unwrap_or(0), pos.position().unwrap_or(0)));
        }
    }
}

/// Finds what a compiled script reads.
pub fn reads(ast: &AST) -> Reads {
    let mut out = Reads::default();
    let mut literal_uses = 0usize;
    let mut all_uses = 0usize;
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::Index(bin, ..))) if is_var(&bin.lhs, "form") => {
                if let Expr::StringConstant(key, pos) = &bin.rhs {
                    literal_uses += 1;
                    out.key(|r| &mut r.keys, key, *pos);
                }
            }
            Some(ASTNode::Expr(expr @ Expr::Variable(..))) if is_var(expr, "form") => all_uses += 1,
            // A call is an expression inside another, or a statement of its own (a script
            // that is one call: `has_material("lease")`, `form["a"] >= 1`).
            Some(ASTNode::Expr(Expr::FnCall(call, pos)) | ASTNode::Stmt(Stmt::FnCall(call, pos))) => {
                out.call(call, *pos);
            }
            _ => {}
        }
        true
    });
    out.dynamic |= all_uses > literal_uses;
    out
}

impl Reads {
    /// What a call reads: the keys of `missing([…])`, the material of `has_material(…)` and
    /// `material_status(…)`, a comparison of a form value with a literal.
    fn call(&mut self, call: &FnCallExpr, pos: rhai::Position) {
        let first = call.args.first();
        match (call.name.as_str(), first) {
            ("==" | "!=" | "<" | "<=" | ">" | ">=", Some(a)) => {
                let Some(b) = call.args.get(1) else { return };
                let pair = form_key(a).zip(literal(b)).or_else(|| form_key(b).zip(literal(a)));
                if let Some((key, (literal, text))) = pair {
                    self.comparisons.push(Comparison {
                        key: key.to_owned(),
                        op: call.name.to_string(),
                        literal,
                        text,
                        line: pos.line().unwrap_or(0),
                        column: pos.position().unwrap_or(0),
                    });
                }
            }
            ("has_material" | "material_status", Some(Expr::StringConstant(id, pos))) => {
                self.key(|r| &mut r.materials, id, *pos);
            }
            ("missing", Some(Expr::Array(items, _))) => {
                for item in items.iter() {
                    if let Expr::StringConstant(key, pos) = item {
                        self.key(|r| &mut r.keys, key, *pos);
                    }
                }
            }
            // The optimiser folds an array of literals into one constant.
            ("missing", Some(Expr::DynamicConstant(value, pos))) => match value.read_lock::<rhai::Array>() {
                Some(list) => {
                    for key in list.iter().filter_map(|k| k.clone().into_immutable_string().ok()) {
                        self.key(|r| &mut r.keys, &key, *pos);
                    }
                }
                None => self.dynamic = true,
            },
            ("missing", Some(_)) => self.dynamic = true,
            _ => {}
        }
    }
}

fn is_var(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Variable(x, ..) if x.1.as_str() == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Limits, compile};

    fn r(src: &str) -> Reads {
        reads(&compile(src, &Limits::default()).unwrap())
    }

    #[test]
    fn literal_keys_and_materials_are_found() {
        let got = r(
            "let a = form[\"shop.area\"];\nif a != () { a >= form[\"min\"] } else { has_material(\"lease\") && missing([\"x\", \"y\"]).len() == 0 }",
        );
        let keys: Vec<&str> = got.keys.iter().map(|(k, ..)| k.as_str()).collect();
        assert_eq!(keys, ["shop.area", "min", "x", "y"]);
        assert_eq!(got.keys[0], ("shop.area".into(), 1, 14));
        assert_eq!(got.materials, vec![("lease".into(), 2, 53)]);
        assert!(!got.dynamic);
    }

    #[test]
    fn comparisons_with_literals_are_found() {
        let got = r("form[\"wage\"] >= \"1950\" || 18 < form[\"age\"] || form[\"a\"] == form[\"b\"]");
        let found: Vec<(&str, &str, &str, bool)> = got
            .comparisons
            .iter()
            .map(|c| (c.key.as_str(), c.op.as_str(), c.literal.as_str(), c.text))
            .collect();
        assert_eq!(found, [("wage", ">=", "\"1950\"", true), ("age", "<", "18", false)]);
        assert_eq!((got.comparisons[0].line, got.comparisons[0].column), (1, 14));
    }

    #[test]
    fn a_script_that_is_one_call_is_read_too() {
        assert_eq!(r("has_material(\"lease\")").materials, vec![("lease".into(), 1, 14)]);
        assert_eq!(r("form[\"wage\"] >= \"1950\"").comparisons.len(), 1);
        let keys: Vec<String> = r("missing([\"a\", \"b\"])").keys.into_iter().map(|(k, ..)| k).collect();
        assert_eq!(keys, ["a", "b"]);
    }

    #[test]
    fn computed_keys_make_reads_dynamic() {
        assert!(r("let k = \"x\"; form[k] == 1").dynamic);
        assert!(r("let f = form; f.len() > 0").dynamic);
        assert!(r("let keys = [\"a\"]; missing(keys).len() == 0").dynamic);
    }
}
