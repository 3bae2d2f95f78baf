use serde_json::json;
use std::time::Instant;
fn main() {
    let mut defs = serde_json::Map::new();
    defs.insert("d0".into(), json!({"type": "string"}));
    for k in 1..=40 {
        let prev = format!("#/$defs/d{}", k - 1);
        defs.insert(
            format!("d{k}"),
            json!({"properties": {"a": {"$ref": prev}, "b": {"$ref": prev}}}),
        );
    }
    let schema = json!({"$defs": defs, "properties": {"x": {"$ref": "#/$defs/d40"}}});
    let t = Instant::now();
    let d = onething::schema::Document::new(
        schema.clone(),
        onething::schema::Origin::document("x"),
        "x",
    );
    println!("doc {:?} {:?}", t.elapsed(), d.is_ok());
    let t = Instant::now();
    let v = onething::schema::compile(&schema);
    println!("compile {:?} {:?}", t.elapsed(), v.is_ok());
    let t = Instant::now();
    let m = onething::schema::merge(&[std::sync::Arc::new(d.unwrap())], Default::default());
    println!("merge {:?} {:?}", t.elapsed(), m.err());
}
