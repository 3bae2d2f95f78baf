//! Validation messages an applicant can read, in zh-CN and English.
//!
//! A message names the field by its title ("身份证号码校验位不正确" / "ID number: check digit
//! is wrong"), never by a JSON Pointer; the pointer travels beside it for programs.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use crate::base::formats;
use crate::base::text::Text;

/// What a message is about: a field's title and the labels of its values.
pub(crate) struct Subject<'a> {
    pub title: Text,
    pub options: Option<&'a indexmap::IndexMap<String, Text>>,
}

fn type_zh(name: &str) -> &'static str {
    match name {
        "null" => "空值",
        "boolean" => "是/否",
        "integer" => "整数",
        "number" => "数字",
        "string" => "文本",
        "array" => "列表",
        "object" => "对象",
        _ => "其他",
    }
}

fn type_names(kind: &TypeKind) -> Vec<String> {
    match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
    }
}

fn number(v: &Value) -> String {
    v.to_string()
}

fn label(v: &Value, subject: &Subject<'_>) -> Text {
    let raw = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    subject.options.and_then(|o| o.get(&raw)).cloned().unwrap_or_else(|| Text::new(raw.clone(), raw))
}

/// The message for one validation error about `subject`, whose value is `instance`.
pub(crate) fn message(kind: &ValidationErrorKind, instance: &Value, subject: &Subject<'_>) -> Text {
    let t = &subject.title;
    let (zh, en) = (&t.zh, &t.en);
    use ValidationErrorKind as K;
    match kind {
        K::Required { .. } => Text::new(format!("请填写{zh}"), format!("{en} is required")),
        K::Type { kind } => {
            let names = type_names(kind);
            let zh_names: Vec<&str> = names.iter().map(|n| type_zh(n)).collect();
            Text::new(
                format!("{zh}应为{}", zh_names.join("或")),
                format!("{en} must be {}", names.join(" or ")),
            )
        }
        K::Enum { options } => {
            let labels: Vec<Text> =
                options.as_array().into_iter().flatten().map(|v| label(v, subject)).collect();
            let zh_list: Vec<&str> = labels.iter().map(|l| l.zh.as_str()).collect();
            let en_list: Vec<&str> = labels.iter().map(|l| l.en.as_str()).collect();
            Text::new(
                format!("{zh}应为以下之一：{}", zh_list.join("、")),
                format!("{en} must be one of: {}", en_list.join(", ")),
            )
        }
        K::Constant { expected_value } => {
            let l = label(expected_value, subject);
            Text::new(format!("{zh}应为{}", l.zh), format!("{en} must be {}", l.en))
        }
        K::Format { format } => format_message(format, instance, t),
        K::MinLength { limit } => {
            Text::new(format!("{zh}至少{limit}个字"), format!("{en} must have at least {limit} characters"))
        }
        K::MaxLength { limit } => {
            Text::new(format!("{zh}最多{limit}个字"), format!("{en} must have at most {limit} characters"))
        }
        K::Minimum { limit } => Text::new(
            format!("{zh}不能小于{}", number(limit)),
            format!("{en} must be at least {}", number(limit)),
        ),
        K::Maximum { limit } => Text::new(
            format!("{zh}不能大于{}", number(limit)),
            format!("{en} must be at most {}", number(limit)),
        ),
        K::ExclusiveMinimum { limit } => Text::new(
            format!("{zh}应大于{}", number(limit)),
            format!("{en} must be more than {}", number(limit)),
        ),
        K::ExclusiveMaximum { limit } => Text::new(
            format!("{zh}应小于{}", number(limit)),
            format!("{en} must be less than {}", number(limit)),
        ),
        K::MultipleOf { multiple_of } => Text::new(
            format!("{zh}应为{multiple_of}的倍数"),
            format!("{en} must be a multiple of {multiple_of}"),
        ),
        K::Pattern { .. } => {
            Text::new(format!("{zh}格式不正确"), format!("{en} is not in the required form"))
        }
        K::MinItems { limit } => {
            Text::new(format!("{zh}至少{limit}项"), format!("{en} must have at least {limit} entries"))
        }
        K::MaxItems { limit } => {
            Text::new(format!("{zh}最多{limit}项"), format!("{en} must have at most {limit} entries"))
        }
        K::UniqueItems => Text::new(format!("{zh}不能有重复项"), format!("{en} must not repeat an entry")),
        K::MinProperties { limit } => {
            Text::new(format!("{zh}至少填写{limit}项"), format!("{en} needs at least {limit} entries"))
        }
        K::MaxProperties { limit } => {
            Text::new(format!("{zh}最多填写{limit}项"), format!("{en} allows at most {limit} entries"))
        }
        K::AdditionalProperties { unexpected } | K::UnevaluatedProperties { unexpected } => {
            let list = unexpected.join(", ");
            Text::new(
                format!("{zh}含有不允许的项：{list}"),
                format!("{en} has entries that are not allowed: {list}"),
            )
        }
        K::Contains => Text::new(format!("{zh}缺少必需的项"), format!("{en} lacks a required entry")),
        K::FalseSchema => Text::new(format!("{zh}不应填写"), format!("{en} must not be given")),
        _ => Text::new(
            format!("{zh}不符合要求（{}）", kind.keyword()),
            format!("{en} is not valid ({})", kind.keyword()),
        ),
    }
}

fn format_message(format: &str, instance: &Value, t: &Text) -> Text {
    let (zh, en) = (&t.zh, &t.en);
    if let Some(reason) = instance.as_str().and_then(|s| formats::explain(format, s)) {
        let r = reason.text();
        return Text::new(format!("{zh}{}", r.zh), format!("{en}: {}", r.en));
    }
    match format {
        "date" => Text::new(
            format!("{zh}不是有效的日期（格式为YYYY-MM-DD）"),
            format!("{en} is not a valid date (YYYY-MM-DD)"),
        ),
        "email" => {
            Text::new(format!("{zh}不是有效的电子邮箱"), format!("{en} is not a valid e-mail address"))
        }
        _ => Text::new(format!("{zh}格式不正确（{format}）"), format!("{en} is not a valid {format}")),
    }
}
