//! `onething init DIR`: a new bundle that passes `onething check` and `onething test` at
//! once, for an author to edit from.
//!
//! Why a skeleton rather than documentation alone: the smallest bundle that compiles has a
//! dozen parts that refer to each other (departments, a field dictionary, an item with its
//! department's form and field map, a rule, a material, cases), and one wrong id is a
//! compile problem. The skeleton is one of each, consistent, with a README saying what to
//! edit next; its `bundle.json` names the bundle format's JSON Schema (`"$schema"`, the
//! schema written beside it from this tool's own types), so that an editor completes and
//! checks its keys.

use std::path::Path;

use serde_json::{Value, json};

use crate::Exit;
use crate::out::{Out, errln, outln};

/// The file the bundle format's JSON Schema is written to, beside `bundle.json`.
const FORMAT_SCHEMA: &str = "bundle-format.schema.json";

/// Writes the skeleton into `dir` (created; it must not exist or be empty): exit 0, or 2
/// when `dir` holds something already or cannot be written.
pub(crate) fn init(out: &mut Out, dir: &Path) -> Exit {
    if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        errln!(
            "error: {}: not empty; `onething init` writes a new bundle into an empty or new directory",
            dir.display()
        );
        return Exit(2);
    }
    let id = bundle_id(dir);
    let files = match skeleton(&id) {
        Ok(files) => files,
        Err(e) => {
            errln!("error: {e}");
            return Exit(2);
        }
    };
    for (name, text) in &files {
        let path = dir.join(name);
        let written =
            path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            errln!("error: {}: {e}", path.display());
            return Exit(2);
        }
    }
    outln!(out, "wrote bundle `{id}` to {}:", dir.display());
    for (name, _) in &files {
        outln!(out, "  {name}");
    }
    outln!(
        out,
        "next: onething check {0} && onething test {0}; then README.md says what to edit",
        dir.display()
    );
    Exit(0)
}

/// The bundle's id: the directory's name in lower case, letters, digits and `-` only
/// (`my-thing` when nothing is left).
fn bundle_id(dir: &Path) -> String {
    let name = dir.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    let id: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let id = id.trim_matches('-').to_owned();
    if id.is_empty() { "my-thing".to_owned() } else { id }
}

/// Every file of the skeleton, by path in the directory.
fn skeleton(id: &str) -> Result<Vec<(&'static str, String)>, serde_json::Error> {
    let bundle = json!({
        "$schema": FORMAT_SCHEMA,
        "id": id,
        "version": "0.1.0",
        "title": {"zh": "我的一件事", "en": "My thing"},
        "lead": "lead-department",
        "departments": [
            {"id": "lead-department", "name": {"zh": "牵头部门", "en": "Lead department"}}
        ],
        "fields": {
            "applicant.name": {"title": {"zh": "申请人姓名", "en": "Applicant's name"}},
            "applicant.id_number": {"title": {"zh": "申请人身份证号码", "en": "Applicant's ID number"}}
        },
        "items": [{
            "id": "permit",
            "title": {"zh": "示例许可", "en": "Example permit"},
            "department": "lead-department",
            "schema": "permit.schema.json",
            "field_map": {"/sqrxm": "applicant.name", "/sqrsfzh": "applicant.id_number"},
            "time_limit_days": 5,
            "eligibility": [{
                "id": "applicant-adult",
                "title": {"zh": "申请人年满18周岁", "en": "The applicant is 18 or older"},
                "file": "rules/applicant-adult.rhai"
            }],
            "materials": [
                {"id": "id-card", "title": {"zh": "申请人身份证", "en": "The applicant's ID card"}}
            ]
        }]
    });
    let form = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "示例许可申请表",
        "type": "object",
        "required": ["sqrxm", "sqrsfzh"],
        "properties": {
            "sqrxm": {"type": "string", "title": "申请人姓名", "minLength": 1, "maxLength": 50},
            "sqrsfzh": {"type": "string", "title": "申请人身份证号码", "format": "cn-id-number"}
        }
    });
    let adult = json!({
        "values": {"applicant.name": "张三", "applicant.id_number": "110105199003150025"},
        "materials": {"id-card": "provided"}
    });
    let minor = json!({
        "values": {"applicant.name": "李小明", "applicant.id_number": "110105201506011238"},
        "materials": {"id-card": "provided"},
        "date": "2026-06-01",
        "expect": {
            "outcome": "rejected",
            "items": {"permit": "rejected"},
            "deficiencies": []
        }
    });
    let pretty = |v: &Value| serde_json::to_string_pretty(v).map(|t| t + "\n");
    let schema = onething::schemas::all().into_iter().find(|(name, _)| *name == "bundle").map(|(_, s)| s);
    Ok(vec![
        ("bundle.json", pretty(&bundle)?),
        (FORMAT_SCHEMA, pretty(&schema.unwrap_or(Value::Null))?),
        ("permit.schema.json", pretty(&form)?),
        ("rules/applicant-adult.rhai", RULE.to_owned()),
        ("submissions/example.json", pretty(&adult)?),
        ("decisions/accepted--adult-applicant.json", pretty(&adult)?),
        ("tests/applicant-under-18.json", pretty(&minor)?),
        ("README.md", README.replace("{id}", id)),
    ])
}

/// The skeleton's one rule.
const RULE: &str = "\
// 申请人在评估日（today）年满18周岁。
// The applicant is 18 or older on the evaluation date (`today`). A missing or malformed ID
// number is the form's own error; the rule then does not hold.
let id = form[\"applicant.id_number\"];
id != () && id_age(id, today) >= 18
";

/// The skeleton's README: what each file is and what to edit next.
const README: &str = "\
# {id}

A bundle (一件事) written by `onething init`. It passes `onething check` and `onething test`
as it is; edit it from here.

| file | what it is |
|---|---|
| `bundle.json` | the bundle: its lead department, departments, field dictionary and items |
| `bundle-format.schema.json` | the JSON Schema of `bundle.json` (written by `onething init`, from the tool's own version) |
| `permit.schema.json` | the one item's form, as its department publishes it (JSON Schema draft 2020-12) |
| `rules/applicant-adult.rhai` | the item's eligibility rule (Rhai) |
| `submissions/example.json` | an example submission (`onething evaluate . submissions/example.json`) |
| `decisions/accepted--adult-applicant.json` | a case: this submission must be accepted (the outcome is the file name's prefix) |
| `tests/applicant-under-18.json` | a case with an `expect` block and its own `date` |

## What to edit next

1. `bundle.json`: the bundle's `id`, `title` and `lead`; one entry in `departments` per
   department taking part.
2. For each department's procedure, an item in `items`: its `department`, its form (the
   department's JSON Schema, unchanged, in a file of its own named by `schema`), and its
   `field_map` from the form's properties (JSON Pointers such as `/sqrsfzh`) to the
   bundle's canonical keys, with a `transform` where the department codes a value its own
   way. Give every canonical key a title in `fields`.
3. The rules: `eligibility` (fails: rejected), `applies_if` (when an item applies),
   `required_if` of a material, `checks` between fields, and the bundle's `acceptance`
   policy for 容缺受理 (tolerable secondary materials) and 告知承诺 (commitments).
4. The cases: one file per situation in `decisions/` (`<outcome>--<what>.json`) or
   `tests/` (with an `expect` block: items' outcomes, deficiencies, supplement deadlines,
   obligations; and a `date`). `onething test . --coverage` says which rules the cases
   never made true or false.

After each change:

```sh
onething check .          # every problem at once, with its place
onething test . --coverage
```

## Editor support

`bundle.json` names its schema: `\"$schema\": \"bundle-format.schema.json\"`. An editor that
reads `$schema` (VS Code, IntelliJ, Neovim with a JSON language server) then completes the
keys of `bundle.json`, shows their documentation and marks unknown or misspelt keys. The
library ignores `$schema`. To check against the schema of a newer tool, write it again with
`onething init` into an empty directory and copy `bundle-format.schema.json`.
";
