//! What a script reads, found in its syntax tree: the canonical keys (`form["key"]`,
//! `missing(["a", "b"])`) and the materials (`has_material("id")`, `material_status("id")`).
//!
//! Compiling a bundle checks them against the merged form; evaluation converts only the keys
//! rules read; the trace shows their values; the wizard re-runs a rule when one changes.

use rhai::{AST, ASTNode, Expr};

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
        let Some(ASTNode::Expr(expr)) = path.last() else { return true };
        match expr {
            Expr::Index(bin, ..) if is_var(&bin.lhs, "form") => {
                if let Expr::StringConstant(key, pos) = &bin.rhs {
                    literal_uses += 1;
                    out.key(|r| &mut r.keys, key, *pos);
                }
            }
            Expr::Variable(..) if is_var(expr, "form") => all_uses += 1,
            Expr::FnCall(call, _) => {
                let first = call.args.first();
                match (call.name.as_str(), first) {
                    ("has_material" | "material_status", Some(Expr::StringConstant(id, pos))) => {
                        out.key(|r| &mut r.materials, id, *pos);
                    }
                    ("missing", Some(Expr::Array(items, _))) => {
                        for item in items.iter() {
                            if let Expr::StringConstant(key, pos) = item {
                                out.key(|r| &mut r.keys, key, *pos);
                            }
                        }
                    }
                    // The optimiser folds an array of literals into one constant.
                    ("missing", Some(Expr::DynamicConstant(value, pos))) => match value
                        .read_lock::<rhai::Array>()
                    {
                        Some(list) => {
                            for key in list.iter().filter_map(|k| k.clone().into_immutable_string().ok()) {
                                out.key(|r| &mut r.keys, &key, *pos);
                            }
                        }
                        None => out.dynamic = true,
                    },
                    ("missing", Some(_)) => out.dynamic = true,
                    _ => {}
                }
            }
            _ => {}
        }
        true
    });
    out.dynamic |= all_uses > literal_uses;
    out
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
    fn computed_keys_make_reads_dynamic() {
        assert!(r("let k = \"x\"; form[k] == 1").dynamic);
        assert!(r("let f = form; f.len() > 0").dynamic);
        assert!(r("let keys = [\"a\"]; missing(keys).len() == 0").dynamic);
    }
}
