//! The notice laid out as a small document (sections of paragraphs, lists and tables) in
//! one language. Both renderers (Markdown, HTML) read this layout, so they say the same
//! thing; every string in it is plain text that the renderer escapes.

use crate::base::text::{Lang, Text};
use crate::model::bundle::{DayCount, MaterialKind};
use crate::model::decision::Outcome;
use crate::model::submission::MaterialStatus;
use crate::report::plan::{after_payment_text, days_text};

use super::{Extent, FeeEntry, Notice, NoticeMaterial, StepKind};

/// A laid-out notice.
pub(super) struct Doc {
    pub title: String,
    pub subtitle: String,
    pub sections: Vec<Section>,
    pub footer: String,
}

/// A numbered section.
pub(super) struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// A block of a section.
pub(super) enum Block {
    Para(Vec<Span>),
    Quote(String),
    List(Vec<Vec<Span>>),
    Ordered(Vec<Vec<Span>>),
    Table { head: Vec<String>, rows: Vec<Vec<String>> },
}

/// Inline text.
pub(super) enum Span {
    Text(String),
    Strong(String),
}

fn text(s: impl Into<String>) -> Span {
    Span::Text(s.into())
}

fn strong(s: impl Into<String>) -> Span {
    Span::Strong(s.into())
}

/// Picks the language.
fn t<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Separates names (of departments, sources): they may hold commas in English.
fn sep(lang: Lang) -> &'static str {
    t(lang, "、", "; ")
}

/// Separates item and material titles: they often hold 、 in Chinese, commas in English.
fn item_sep(lang: Lang) -> &'static str {
    t(lang, "；", "; ")
}

fn colon(lang: Lang) -> &'static str {
    t(lang, "：", ": ")
}

const CN_NUMERALS: [&str; 20] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五",
    "十六", "十七", "十八", "十九", "二十",
];

fn heading(lang: Lang, n: usize, title: &str) -> String {
    match lang {
        Lang::Zh => match n.checked_sub(1).and_then(|i| CN_NUMERALS.get(i)) {
            Some(numeral) => format!("{numeral}、{title}"),
            None => format!("{n}. {title}"),
        },
        Lang::En => format!("{n}. {title}"),
    }
}

struct Ctx<'a> {
    n: &'a Notice,
    lang: Lang,
}

impl Ctx<'_> {
    fn get<'t>(&self, t: &'t Text) -> &'t str {
        t.get(self.lang)
    }

    fn department(&self, id: &str) -> String {
        std::iter::once(&self.n.lead)
            .chain(&self.n.cooperating)
            .find(|d| d.id == id)
            .map_or_else(|| id.to_owned(), |d| self.get(&d.name).to_owned())
    }

    fn item(&self, id: &str) -> String {
        self.n
            .items
            .iter()
            .find(|i| i.id == id)
            .map_or_else(|| id.to_owned(), |i| self.get(&i.title).to_owned())
    }

    /// The titles of the notice's items `ids`, in their order.
    fn titles(&self, ids: &[String]) -> Vec<&Text> {
        ids.iter().filter_map(|id| self.n.items.iter().find(|i| &i.id == id)).map(|i| &i.title).collect()
    }

    fn items(&self, ids: &[String]) -> String {
        ids.iter().map(|i| self.item(i)).collect::<Vec<_>>().join(item_sep(self.lang))
    }

    fn days(&self, d: Option<u32>) -> String {
        days_text(d).get(self.lang).to_owned()
    }

    fn yuan(&self, amount: f64) -> String {
        match self.lang {
            Lang::Zh => format!("{amount:.2}元"),
            Lang::En => format!("CNY {amount:.2}"),
        }
    }
}

/// Lays the notice out in one language.
pub(super) fn layout(n: &Notice, lang: Lang) -> Doc {
    let c = Ctx { n, lang };
    let mut sections: Vec<(String, Vec<Block>)> = Vec::new();
    if n.situation.is_some() {
        sections.push((t(lang, "您的办理情况", "Your application").into(), situation(&c)));
    }
    sections.push((t(lang, "基本信息", "At a glance").into(), overview(&c)));
    sections.push((t(lang, "办理事项", "Items").into(), items(&c)));
    sections.push((t(lang, "申请条件", "Conditions").into(), conditions(&c)));
    sections.push((t(lang, "设定依据", "Legal basis").into(), basis(&c)));
    let materials_heading = if n.situation.is_some() {
        t(lang, "尚需提交的材料", "Materials still owed")
    } else {
        t(lang, "申请材料", "Materials")
    };
    sections.push((materials_heading.into(), materials(&c)));
    sections.push((t(lang, "办理流程", "Process").into(), process(&c)));
    sections.push((t(lang, "办理时限", "Time limit").into(), time_limit(&c)));
    sections.push((t(lang, "收费标准", "Fees").into(), fees(&c)));
    sections.push((t(lang, "办理渠道", "Where to apply").into(), channels(&c)));
    sections.push((t(lang, "咨询方式", "Enquiries").into(), enquiries(&c)));
    let title = match lang {
        Lang::Zh => format!("{}一次告知单", n.title.zh),
        Lang::En => format!("One-time notice: {}", n.title.en),
    };
    let subtitle = match (&n.situation, lang) {
        (None, Lang::Zh) => format!("版本 {} · 一次告知、一表申请、一次提交", n.version),
        (None, Lang::En) => format!("Version {} · one notice, one form, one submission", n.version),
        (Some(s), Lang::Zh) => format!("版本 {} · 按您的申请情况生成（{}）", n.version, s.date),
        (Some(s), Lang::En) => format!("Version {} · for your application as of {}", n.version, s.date),
    };
    let footer = match lang {
        Lang::Zh => format!("本告知单根据“一件事”定义 {} {} 生成。", n.bundle, n.version),
        Lang::En => format!("Generated from the definition of {} {}.", n.bundle, n.version),
    };
    Doc {
        title,
        subtitle,
        sections: sections
            .into_iter()
            .enumerate()
            .map(|(i, (h, blocks))| Section { heading: heading(lang, i + 1, &h), blocks })
            .collect(),
        footer,
    }
}

fn outcome(o: Outcome, lang: Lang) -> String {
    o.text().get(lang).to_owned()
}

fn situation(c: &Ctx<'_>) -> Vec<Block> {
    let lang = c.lang;
    let Some(s) = &c.n.situation else { return Vec::new() };
    let mut blocks = vec![Block::Para(vec![
        strong(t(lang, "办理结果", "Outcome")),
        text(format!("{}{}", colon(lang), outcome(s.outcome, lang))),
        text(match lang {
            Lang::Zh => format!("（{}）", s.date),
            Lang::En => format!(" (as of {})", s.date),
        }),
    ])];
    let rows = s
        .items
        .iter()
        .filter(|i| i.outcome != Outcome::NotApplicable)
        .map(|i| {
            let dept =
                c.n.items
                    .iter()
                    .find(|x| x.id == i.item)
                    .map(|x| c.department(&x.department))
                    .unwrap_or_default();
            let mut reasons: Vec<String> = i.reasons.iter().map(|r| c.get(r).to_owned()).collect();
            if let Some(from) = &i.starts_on {
                reasons.push(match lang {
                    Lang::Zh => format!("自{from}起办理"),
                    Lang::En => format!("handled from {from}"),
                });
            }
            if !i.after_payment.is_empty() {
                reasons.push(c.get(&after_payment_text(&c.titles(&i.after_payment))).to_owned());
            }
            let reasons = reasons.join(t(lang, "；", "; "));
            vec![
                c.get(&i.title).to_owned(),
                dept,
                outcome(i.outcome, lang),
                if reasons.is_empty() { "—".into() } else { reasons },
            ]
        })
        .collect();
    blocks.push(Block::Table {
        head: vec![
            t(lang, "事项", "Item").into(),
            t(lang, "办理部门", "Department").into(),
            t(lang, "结果", "Outcome").into(),
            t(lang, "说明", "Why").into(),
        ],
        rows,
    });
    let not_applicable: Vec<&str> =
        s.items.iter().filter(|i| i.outcome == Outcome::NotApplicable).map(|i| c.get(&i.title)).collect();
    if !not_applicable.is_empty() {
        blocks.push(Block::Para(vec![
            strong(t(lang, "不涉及的事项", "Items that do not apply")),
            text(format!("{}{}", colon(lang), not_applicable.join(item_sep(lang)))),
        ]));
    }
    let owed: Vec<Vec<Span>> = s
        .items
        .iter()
        .flat_map(|i| i.obligations.iter().map(move |o| (i, o)))
        .map(|(i, o)| vec![text(obligation_line(c, &i.title, o))])
        .collect();
    if !owed.is_empty() {
        blocks.push(Block::Para(vec![strong(t(lang, "受理后须履行的义务", "What you must still do"))]));
        blocks.push(Block::List(owed));
    }
    if !s.corrections.is_empty() {
        blocks.push(Block::Para(vec![strong(t(lang, "需更正的内容", "To correct in the form"))]));
        let rows = s
            .corrections
            .iter()
            .map(|x| {
                let fields: Vec<&str> = x.fields.iter().map(|f| c.get(f)).collect();
                vec![fields.join(item_sep(lang)), c.get(&x.message).to_owned(), c.get(&x.fix).to_owned()]
            })
            .collect();
        blocks.push(Block::Table {
            head: vec![
                t(lang, "填写项", "Fields").into(),
                t(lang, "问题", "What is wrong").into(),
                t(lang, "如何更正", "How to correct it").into(),
            ],
            rows,
        });
    }
    if !s.settled.is_empty() {
        let list = s
            .settled
            .iter()
            .map(|m| {
                let status = settled_status(m.status, lang);
                vec![text(match lang {
                    Lang::Zh => format!("{}（{status}）", c.get(&m.title)),
                    Lang::En => format!("{} ({status})", c.get(&m.title)),
                })]
            })
            .collect();
        blocks.push(Block::Para(vec![strong(t(lang, "已齐备的材料", "Materials already settled"))]));
        blocks.push(Block::List(list));
    }
    blocks
}

/// `Item: text (amount unit, by due)`.
fn obligation_line(c: &Ctx<'_>, item: &Text, o: &crate::model::decision::Obligation) -> String {
    let lang = c.lang;
    let amount = o.amount.as_ref().map(|a| {
        let unit = o.unit.as_ref().map(|u| c.get(u)).unwrap_or_default();
        match lang {
            Lang::Zh => format!("{a}{unit}"),
            Lang::En => format!("{a} {unit}").trim_end().to_owned(),
        }
    });
    let due = o.due.as_ref().map(|d| match lang {
        Lang::Zh => format!("{d}前"),
        Lang::En => format!("by {d}"),
    });
    let detail: Vec<String> = amount.into_iter().chain(due).collect();
    let detail = match (detail.is_empty(), lang) {
        (true, _) => String::new(),
        (false, Lang::Zh) => format!("（{}）", detail.join("，")),
        (false, Lang::En) => format!(" ({})", detail.join(", ")),
    };
    format!("{}{}{}{detail}", c.get(item), colon(lang), c.get(&o.text))
}

fn settled_status(s: MaterialStatus, lang: Lang) -> &'static str {
    match s {
        MaterialStatus::Provided => t(lang, "已提交", "handed in"),
        MaterialStatus::Shared => t(lang, "通过数据共享获取", "obtained by data sharing"),
        MaterialStatus::Committed => t(lang, "以承诺代替", "replaced by a commitment"),
        MaterialStatus::Missing => t(lang, "未提交", "missing"),
    }
}

fn overview(c: &Ctx<'_>) -> Vec<Block> {
    let lang = c.lang;
    let n = c.n;
    let mut blocks = Vec::new();
    if let Some(d) = &n.description {
        blocks.push(Block::Quote(c.get(d).to_owned()));
    }
    let mut list = Vec::new();
    let lead = match &n.lead.phone {
        Some(p) => {
            format!("{}{}", c.get(&n.lead.name), t(lang, &format!("（电话 {p}）"), &format!(" (tel. {p})")))
        }
        None => c.get(&n.lead.name).to_owned(),
    };
    list.push(vec![strong(t(lang, "牵头部门", "Lead department")), text(format!("{}{lead}", colon(lang)))]);
    if !n.cooperating.is_empty() {
        let names: Vec<&str> = n.cooperating.iter().map(|d| c.get(&d.name)).collect();
        list.push(vec![
            strong(t(lang, "协办部门", "Cooperating departments")),
            text(format!("{}{}", colon(lang), names.join(sep(lang)))),
        ]);
    }
    if let Some(a) = &n.applicants {
        list.push(vec![
            strong(t(lang, "申请对象", "Who may apply")),
            text(format!("{}{}", colon(lang), c.get(a))),
        ]);
    }
    let departments = 1 + n.cooperating.len();
    list.push(vec![
        strong(t(lang, "办理事项", "Items")),
        text(match lang {
            Lang::Zh => format!("：共{}个事项，涉及{}个部门，一表申请、一次提交", n.items.len(), departments),
            Lang::En => format!(
                ": {} items from {} department{}, one form, one submission",
                n.items.len(),
                departments,
                if departments == 1 { "" } else { "s" }
            ),
        }),
    ]);
    list.push(vec![
        strong(t(lang, "办理时限", "Time limit")),
        text(format!("{}{}", colon(lang), limit_summary(c))),
    ]);
    blocks.push(Block::List(list));
    blocks
}

/// The one-line answer to "how long": committed, else the critical path.
fn limit_summary(c: &Ctx<'_>) -> String {
    let tl = &c.n.time_limit;
    let lang = c.lang;
    match (tl.committed_days, tl.critical_path_days) {
        (Some(d), _) => match lang {
            Lang::Zh => format!("承诺{}个工作日内办结", d),
            Lang::En => format!("committed: done within {}", c.days(Some(d))),
        },
        (None, Some(d)) => match lang {
            Lang::Zh => format!("并联办理约{}个工作日（各事项时限的关键路径）", d),
            Lang::En => format!("about {} in parallel (critical path of the items' limits)", c.days(Some(d))),
        },
        (None, None) => match lang {
            Lang::Zh => format!("未能确定（至少{}个工作日）", tl.at_least_days),
            Lang::En => format!("unknown (at least {} working days)", tl.at_least_days),
        },
    }
}

fn items(c: &Ctx<'_>) -> Vec<Block> {
    let lang = c.lang;
    if c.n.items.is_empty() {
        return vec![Block::Para(vec![text(t(lang, "无适用事项。", "No item applies."))])];
    }
    let rows =
        c.n.items
            .iter()
            .enumerate()
            .map(|(k, i)| {
                let when = match (&i.condition, i.optional) {
                    (Some(cond), true) => match lang {
                        Lang::Zh => format!("自愿选择；{}", c.get(cond)),
                        Lang::En => format!("if chosen; {}", c.get(cond)),
                    },
                    (Some(cond), false) => c.get(cond).to_owned(),
                    (None, true) => t(lang, "申请人自愿选择", "if the applicant opts in").into(),
                    (None, false) => t(lang, "必办", "always").into(),
                };
                let stage = crate::report::plan::stage_text(i.stage).get(lang).to_owned();
                let mut stage = match &i.starts_on {
                    Some(from) => format!("{stage}{}{}", t(lang, "；", "; "), c.get(&from.text())),
                    None => stage,
                };
                if !i.after_payment.is_empty() {
                    let paid = after_payment_text(&c.titles(&i.after_payment));
                    stage = format!("{stage}{}{}", t(lang, "；", "; "), c.get(&paid));
                }
                vec![
                    (k + 1).to_string(),
                    c.get(&i.title).to_owned(),
                    c.department(&i.department),
                    c.days(i.time_limit_days),
                    when,
                    stage,
                ]
            })
            .collect();
    vec![Block::Table {
        head: vec![
            t(lang, "序号", "No.").into(),
            t(lang, "事项", "Item").into(),
            t(lang, "办理部门", "Department").into(),
            t(lang, "承诺时限", "Time limit").into(),
            t(lang, "适用情形", "Applies").into(),
            t(lang, "阶段", "Stage").into(),
        ],
        rows,
    }]
}

fn for_items(c: &Ctx<'_>, ids: &[String]) -> String {
    match c.lang {
        Lang::Zh => format!("（适用于：{}）", c.items(ids)),
        Lang::En => format!(" (for: {})", c.items(ids)),
    }
}

fn conditions(c: &Ctx<'_>) -> Vec<Block> {
    let lang = c.lang;
    if c.n.conditions.is_empty() {
        return vec![Block::Para(vec![text(t(
            lang,
            "除申请对象的要求外，无其他条件。",
            "No conditions besides who may apply.",
        ))])];
    }
    let list =
        c.n.conditions
            .iter()
            .map(|cond| {
                let scope = match &cond.item {
                    None => t(lang, "（全部事项）", " (every item)").to_owned(),
                    Some(item) => for_items(c, std::slice::from_ref(item)),
                };
                vec![text(c.get(&cond.title)), text(scope)]
            })
            .collect();
    vec![Block::Ordered(list)]
}

fn basis(c: &Ctx<'_>) -> Vec<Block> {
    let lang = c.lang;
    if c.n.legal_basis.is_empty() {
        return vec![Block::Para(vec![text(t(lang, "未列明。", "None given."))])];
    }
    let list =
        c.n.legal_basis.iter().map(|b| vec![text(c.get(&b.text)), text(for_items(c, &b.items))]).collect();
    vec![Block::Ordered(list)]
}

fn extent(
    c: &Ctx<'_>,
    m: &NoticeMaterial,
    e: Extent,
    all: &str,
    flag: impl Fn(&super::MaterialUse) -> bool,
) -> String {
    match e {
        Extent::All => all.to_owned(),
        Extent::Never => "—".to_owned(),
        Extent::Partly => {
            let ids: Vec<String> = m.uses.iter().filter(|u| flag(u)).map(|u| u.item.clone()).collect();
            match c.lang {
                Lang::Zh => format!("{all}（仅{}）", c.items(&ids)),
                Lang::En => format!("{all} (only {})", c.items(&ids)),
            }
        }
    }
}

/// The merged materials list: one row per material (handed in once, serving every item
/// needing it), or a sentence when nothing is needed. With a situation (the notice of one
/// application), only what is still owed, with its status.
fn materials(c: &Ctx<'_>) -> Vec<Block> {
    let lang = c.lang;
    let owed = c.n.situation.is_some();
    if c.n.materials.is_empty() {
        return vec![Block::Para(vec![text(no_materials(lang, owed))])];
    }
    let rows = c.n.materials.iter().enumerate().map(|(k, m)| material_row(c, k + 1, m, owed)).collect();
    vec![
        Block::Para(vec![text(materials_intro(lang, owed, c.n.materials.len()))]),
        Block::Table { head: materials_head(lang, owed), rows },
        Block::Para(vec![text(t(
            lang,
            "说明：主件必须提交。标注“可容缺”的辅件，在符合申请条件、主件齐全、申请人签署承诺书（失信被执行人除外）时可先行受理，并在限期内补交；标注“可承诺代替”的材料，可由申请人书面承诺代替；列有数据来源的材料可通过数据共享获取，无需上传。",
            "Primary materials must be handed in. A secondary material marked tolerable may be handed in later, by a deadline, when the conditions are met, every primary material is present and the applicant signs a commitment letter (not open to applicants on a dishonesty list). A material marked commitment can be replaced by the applicant's written commitment. A material with a data source listed is obtained by data sharing: no upload needed.",
        ))]),
    ]
}

/// The sentence instead of an empty list: nothing needed, or (`owed`) nothing more.
fn no_materials(lang: Lang, owed: bool) -> &'static str {
    if owed {
        t(
            lang,
            "所需材料均已齐备，无需再提交。",
            "Nothing more to hand in: every material needed is settled.",
        )
    } else {
        t(lang, "无需提交材料。", "No materials are needed.")
    }
}

/// The sentence before the list: `count` materials, each handed in once.
fn materials_intro(lang: Lang, owed: bool, count: usize) -> String {
    match (lang, owed) {
        (Lang::Zh, false) => format!(
            "以下{count}项材料为各事项所需材料合并去重后的清单，同一材料只需提交一次，供所有相关事项共用。"
        ),
        (Lang::En, false) => format!(
            "These {count} materials are every item's materials merged: hand each in once, and it serves every item needing it."
        ),
        (Lang::Zh, true) => format!(
            "根据您的申请，尚需提交以下{count}项材料（已一次性列明全部），每项只需提交一次，供所有相关事项共用。"
        ),
        (Lang::En, true) => format!(
            "For your application, these {count} materials are still owed (this is all of them): hand each in once, and it serves every item needing it."
        ),
    }
}

/// The table's head (with a status column when `owed`).
fn materials_head(lang: Lang, owed: bool) -> Vec<String> {
    let mut head: Vec<String> = vec![
        t(lang, "序号", "No.").into(),
        t(lang, "材料", "Material").into(),
        t(lang, "类别", "Kind").into(),
        t(lang, "容缺受理", "Tolerance").into(),
        t(lang, "告知承诺", "Commitment").into(),
        t(lang, "免提交（数据共享）", "No upload needed from").into(),
        t(lang, "所需事项", "Needed by").into(),
    ];
    if owed {
        head.push(t(lang, "状态", "Status").into());
    }
    head
}

/// Row `number` of the table, for material `m`.
fn material_row(c: &Ctx<'_>, number: usize, m: &NoticeMaterial, owed: bool) -> Vec<String> {
    let lang = c.lang;
    let mut row = vec![
        number.to_string(),
        material_title(c, m),
        material_kind(c, m),
        extent(c, m, m.tolerable, t(lang, "可容缺", "tolerable"), |u| u.tolerable)
            + supplement_period(m, lang).as_str(),
        extent(c, m, m.commitment, t(lang, "可承诺代替", "commitment"), |u| u.commitment),
        material_sources(c, m),
        needed_by(c, m),
    ];
    if owed {
        row.push(owed_status(m, lang));
    }
    row
}

/// How long a tolerated material may come later: `（5个工作日内补交）`.
fn supplement_period(m: &NoticeMaterial, lang: Lang) -> String {
    let Some(p) = m.supplement else { return String::new() };
    let days = p.days;
    // A cap (`supplement_until`) names the date of the form the deadline may not pass.
    let cap = |zh: bool| {
        m.supplement_until.as_ref().map_or(String::new(), |t| {
            if zh { format!("，且不晚于{}", t.zh) } else { format!(", and not after: {}", t.en) }
        })
    };
    match (p.count, lang) {
        (DayCount::Working, Lang::Zh) => format!("（{days}个工作日内补交{}）", cap(true)),
        (DayCount::Calendar, Lang::Zh) => format!("（{days}日内补交{}）", cap(true)),
        (DayCount::Working, Lang::En) => format!(" (supply within {days} working days{})", cap(false)),
        (DayCount::Calendar, Lang::En) => format!(" (supply within {days} calendar days{})", cap(false)),
    }
}

/// The material's title, with the situations it is needed in when not always.
fn material_title(c: &Ctx<'_>, m: &NoticeMaterial) -> String {
    let mut title = c.get(&m.title).to_owned();
    if let Some(each) = &m.each {
        title += &match c.lang {
            Lang::Zh => format!("（{}）", c.get(each)),
            Lang::En => format!(" ({})", c.get(each)),
        };
    }
    if !m.always {
        let conds: Vec<&str> = m.conditions.iter().map(|x| c.get(x)).collect();
        title += &match c.lang {
            Lang::Zh => format!("（适用情形：{}）", conds.join("；")),
            Lang::En => format!(" (only when: {})", conds.join("; ")),
        };
    }
    title
}

/// Primary or secondary; a primary material that some items take as secondary names them.
fn material_kind(c: &Ctx<'_>, m: &NoticeMaterial) -> String {
    let lang = c.lang;
    let mut kind = match m.kind {
        MaterialKind::Primary => t(lang, "主件", "primary").to_owned(),
        MaterialKind::Secondary => t(lang, "辅件", "secondary").to_owned(),
    };
    let secondary_for: Vec<String> =
        m.uses.iter().filter(|u| u.kind == MaterialKind::Secondary).map(|u| u.item.clone()).collect();
    if m.kind == MaterialKind::Primary && !secondary_for.is_empty() {
        kind += &match lang {
            Lang::Zh => format!("（{}为辅件）", c.items(&secondary_for)),
            Lang::En => format!(" (secondary for {})", c.items(&secondary_for)),
        };
    }
    kind
}

/// The data sources the material is shared from (no upload needed), or a dash.
fn material_sources(c: &Ctx<'_>, m: &NoticeMaterial) -> String {
    if m.sources.is_empty() {
        return "—".to_owned();
    }
    let names: Vec<String> = m
        .sources
        .iter()
        .map(|s| s.title.as_ref().map_or_else(|| s.id.clone(), |t| c.get(t).to_owned()))
        .collect();
    names.join(sep(c.lang))
}

/// The items needing the material; for a material always needed, each item's own
/// condition.
fn needed_by(c: &Ctx<'_>, m: &NoticeMaterial) -> String {
    let names: Vec<String> = m
        .uses
        .iter()
        .map(|u| match (&u.condition, m.always) {
            (Some(cond), true) => match c.lang {
                Lang::Zh => format!("{}（适用情形：{}）", c.item(&u.item), c.get(cond)),
                Lang::En => format!("{} (when: {})", c.item(&u.item), c.get(cond)),
            },
            _ => c.item(&u.item),
        })
        .collect();
    names.join(item_sep(c.lang))
}

fn owed_status(m: &NoticeMaterial, lang: Lang) -> String {
    match (&m.supply_by, m.status) {
        (Some(by), _) => match lang {
            Lang::Zh => format!("容缺受理，请于{by}前补交"),
            Lang::En => format!("tolerated: hand in by {by}"),
        },
        (None, Some(MaterialStatus::Committed)) => {
            t(lang, "承诺不能代替此材料，请提交", "a commitment cannot replace it: hand it in").into()
        }
        (None, _) => t(lang, "未提交", "not handed in").into(),
    }
}

fn process(c: &Ctx<'_>) -> Vec<Block> {
    let lang = c.lang;
    let list =
        c.n.process
            .iter()
            .map(|step| {
                let days = match (step.kind, step.days) {
                    (StepKind::Stage, d) => match lang {
                        Lang::Zh => format!("（{}）", c.days(d)),
                        Lang::En => format!(" ({})", c.days(d)),
                    },
                    _ => String::new(),
                };
                vec![
                    strong(c.get(&step.title)),
                    text(format!("{days}{}{}", colon(lang), c.get(&step.description))),
                ]
            })
            .collect();
    vec![Block::Ordered(list)]
}

fn time_limit(c: &Ctx<'_>) -> Vec<Block> {
    let lang = c.lang;
    let tl = &c.n.time_limit;
    let mut list = Vec::new();
    list.push(vec![
        strong(t(lang, "承诺办结时限", "Committed time limit")),
        text(format!(
            "{}{}",
            colon(lang),
            match (tl.committed_days, lang) {
                (Some(d), Lang::Zh) => format!("自受理之日起{}个工作日", d),
                (Some(d), Lang::En) => format!("{} from acceptance", c.days(Some(d))),
                (None, _) => t(lang, "未设定整体承诺时限", "none set for the whole").to_owned(),
            }
        )),
    ]);
    list.push(vec![
        strong(t(lang, "并联办理关键路径", "Critical path in parallel")),
        text(format!(
            "{}{}",
            colon(lang),
            match tl.critical_path_days {
                Some(d) => c.days(Some(d)),
                None => match lang {
                    Lang::Zh => format!("无法确定，至少{}个工作日", tl.at_least_days),
                    Lang::En => format!("unknown, at least {} working days", tl.at_least_days),
                },
            }
        )),
        text(if tl.critical_path.is_empty() {
            String::new()
        } else {
            let path: Vec<String> = tl.critical_path.iter().map(|i| c.item(i)).collect();
            match lang {
                Lang::Zh => format!("（{}）", path.join(" → ")),
                Lang::En => format!(" ({})", path.join(" → ")),
            }
        }),
    ]);
    list.push(vec![
        strong(t(lang, "各事项单独办理时限合计", "Sum of the separate items' limits")),
        text(format!(
            "{}{}",
            colon(lang),
            match tl.sum_of_items_days {
                Some(d) => c.days(Some(d)),
                None => t(lang, "无法确定", "unknown").to_owned(),
            }
        )),
    ]);
    if let (Some(sum), Some(fast)) = (tl.sum_of_items_days, tl.committed_days.or(tl.critical_path_days)) {
        if sum > fast {
            list.push(vec![
                strong(t(lang, "节省时间", "Time saved")),
                text(match lang {
                    Lang::Zh => format!("：较逐项办理减少{}个工作日", sum - fast),
                    Lang::En => format!(
                        ": {} fewer than handling the items one after another",
                        c.days(Some(sum - fast))
                    ),
                }),
            ]);
        }
    }
    if !tl.missing.is_empty() {
        list.push(vec![
            strong(t(lang, "未设定时限的事项", "Items without a time limit")),
            text(format!("{}{}", colon(lang), c.items(&tl.missing))),
        ]);
    }
    let mut blocks = vec![Block::List(list)];
    for note in &c.n.notes {
        blocks.push(Block::Para(vec![
            strong(t(lang, "注意", "Note")),
            text(format!("{}{}", colon(lang), c.get(note))),
        ]));
    }
    blocks
}

fn fees(c: &Ctx<'_>) -> Vec<Block> {
    let lang = c.lang;
    let f = &c.n.fees;
    if f.items.is_empty() {
        return vec![Block::Para(vec![text(t(lang, "不收费。", "Free of charge."))])];
    }
    // A fee that depends on the application shows its standard amount, said to be one.
    let depends = |amount: String| match lang {
        Lang::Zh => format!("{amount}（标准，按申请核定）"),
        Lang::En => format!("{amount} (standard; set by the application)"),
    };
    let amount =
        |x: &FeeEntry| if x.depends { depends(c.yuan(x.amount_yuan)) } else { c.yuan(x.amount_yuan) };
    let mut rows: Vec<Vec<String>> =
        f.items.iter().map(|x| vec![c.item(&x.item), c.get(&x.title).to_owned(), amount(x)]).collect();
    let total = c.yuan(f.total_yuan);
    let total = if f.items.iter().any(|x| x.depends) { depends(total) } else { total };
    rows.push(vec![t(lang, "合计", "Total").into(), String::new(), total]);
    vec![Block::Table {
        head: vec![
            t(lang, "事项", "Item").into(),
            t(lang, "收费项目", "Charged for").into(),
            t(lang, "金额", "Amount").into(),
        ],
        rows,
    }]
}

fn channels(c: &Ctx<'_>) -> Vec<Block> {
    let lang = c.lang;
    if c.n.channels.is_empty() {
        return vec![Block::Para(vec![text(format!(
            "{}{}",
            c.get(&c.n.lead.name),
            t(lang, "受理窗口。", ": its acceptance window.")
        ))])];
    }
    vec![Block::List(c.n.channels.iter().map(|ch| vec![text(c.get(ch))]).collect())]
}

fn enquiries(c: &Ctx<'_>) -> Vec<Block> {
    let lang = c.lang;
    let mut blocks = Vec::new();
    if let Some(e) = &c.n.enquiry {
        blocks.push(Block::Para(vec![text(c.get(e))]));
    }
    let phones: Vec<Vec<Span>> = std::iter::once(&c.n.lead)
        .chain(&c.n.cooperating)
        .filter_map(|d| d.phone.as_ref().map(|p| vec![text(format!("{}{}{p}", c.get(&d.name), colon(lang)))]))
        .collect();
    if !phones.is_empty() {
        blocks.push(Block::List(phones));
    }
    if blocks.is_empty() {
        blocks.push(Block::Para(vec![text(format!(
            "{}{}",
            c.get(&c.n.lead.name),
            t(lang, "受理窗口。", ": its acceptance window.")
        ))]));
    }
    blocks
}
