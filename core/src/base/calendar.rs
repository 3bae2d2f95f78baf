//! Working days: weekends, public holidays and make-up working days (调休).
//!
//! Committed time limits and supplement deadlines are counted in working days. A
//! [`Calendar`] says which days are worked: Monday to Friday, except public holidays, plus
//! the weekend days the State Council declares working days when it moves holidays
//! together. The official calendar for 2025 and 2026 ships with the crate
//! ([`Calendar::prc`]); a host can supply its own (a local calendar, later years) in the same
//! JSON form (`schemas/calendar.schema.json`), read and checked by [`Calendar::from_json`],
//! and add the official calendar of a new year to the shipped one with
//! [`Calendar::extended`].
//!
//! A calendar covers years from 1949 to 2200 at most ([`MIN_YEAR`], [`MAX_YEAR`]); one that
//! says otherwise is refused when read.
//!
//! Outside the calendar's years, from 2000 to 2099, the statutory holidays of
//! 《全国年节及纪念日放假办法》 are computed ([`crate::statutory`]): 2027-01-01 (元旦) is
//! not a working day although no calendar lists it. What cannot be computed is the year's
//! arrangement — the weekend days worked in exchange and the weekdays given off in lieu —
//! so [`Calendar::basis`] tells how a year is known, and decisions say so when a deadline
//! falls in a year the calendar does not cover. Before 2000 and after 2099 only weekends
//! are known.
//!
//! ```
//! use onething::{Calendar, Date};
//!
//! let cal = Calendar::prc();
//! let d = |s: &str| s.parse::<Date>().unwrap();
//! assert!(!cal.is_working_day(d("2026-10-01")));       // National Day
//! assert!(cal.is_working_day(d("2026-10-10")));        // a Saturday worked in exchange
//! // Ten working days from Friday 2026-09-18: Sunday the 20th is worked, the Mid-Autumn
//! // and National Day holidays are not.
//! assert_eq!(cal.add_working_days(d("2026-09-18"), 10), d("2026-10-09"));
//! // 2027 is not covered: its statutory holidays are computed (元旦 is a Friday).
//! assert!(!cal.is_working_day(d("2027-01-01")));
//! assert_eq!(cal.add_working_days(d("2026-12-31"), 1), d("2027-01-04"));
//! ```

use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::base::date::Date;
use crate::base::statutory;
use crate::base::text::Text;

/// Working days are counted at most this far (about 40 years), so that a hostile count
/// cannot loop for long.
pub const MAX_SPAN_DAYS: i64 = 15_000;

/// A calendar of public holidays and make-up working days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// Name of the calendar.
    pub name: Text,
    /// Where the dates come from (official notices).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// First and last year the calendar covers.
    // From `MIN_YEAR` to `MAX_YEAR`, the first not after the last (checked when read).
    #[serde(deserialize_with = "years")]
    pub years: (i32, i32),
    /// Days off that would otherwise be working days (and holidays falling on weekends).
    #[serde(with = "dates")]
    #[schemars(with = "Vec<String>")]
    pub holidays: BTreeSet<Date>,
    /// Weekend days that are working days (调休上班).
    #[serde(with = "dates")]
    #[schemars(with = "Vec<String>")]
    pub workdays: BTreeSet<Date>,
}

/// The earliest year a calendar may cover: the founding of the People's Republic.
pub const MIN_YEAR: i32 = 1949;

/// The latest year a calendar may cover: far enough for any committed time limit.
pub const MAX_YEAR: i32 = 2200;

/// A calendar's years: within `MIN_YEAR..=MAX_YEAR`, in order (`[9999, -5]` is a mistake,
/// not a calendar).
fn years<'de, D: serde::Deserializer<'de>>(d: D) -> Result<(i32, i32), D::Error> {
    let (first, last) = <(i32, i32)>::deserialize(d)?;
    let sane = |y: i32| (MIN_YEAR..=MAX_YEAR).contains(&y);
    if !(sane(first) && sane(last) && first <= last) {
        return Err(serde::de::Error::custom(format_args!(
            "years [{first}, {last}]: the first and last year covered must be from {MIN_YEAR} to {MAX_YEAR}, the first not after the last"
        )));
    }
    Ok((first, last))
}

mod dates {
    use std::collections::BTreeSet;

    use serde::{Deserialize, Deserializer, Serializer};

    use crate::base::date::Date;

    pub fn serialize<S: Serializer>(set: &BTreeSet<Date>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(set.iter().map(ToString::to_string))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeSet<Date>, D::Error> {
        // Not `collect`: it sorts, with a stable sort instantiated for each iterator type.
        let mut set = BTreeSet::new();
        for s in Vec::<String>::deserialize(d)? {
            set.insert(s.parse::<Date>().map_err(serde::de::Error::custom)?);
        }
        Ok(set)
    }
}

static PRC: LazyLock<Arc<Calendar>> = LazyLock::new(|| {
    // The data is part of the crate and checked by a test; should it ever not parse, an
    // empty calendar (weekends only) is the safe fallback.
    let cal =
        serde_json::from_str(include_str!("../../data/calendar-prc.json")).unwrap_or_else(|_| Calendar {
            name: Text::new("周末", "Weekends only"),
            sources: Vec::new(),
            years: (0, -1),
            holidays: BTreeSet::new(),
            workdays: BTreeSet::new(),
        });
    Arc::new(cal)
});

impl Calendar {
    /// The official calendar of the People's Republic of China, 2025–2026.
    pub fn prc() -> Arc<Calendar> {
        Arc::clone(&PRC)
    }

    /// Does the calendar know the holidays of this date's year?
    pub fn covers(&self, d: Date) -> bool {
        (self.years.0..=self.years.1).contains(&d.year())
    }

    /// How the days off of a year are known.
    pub fn basis(&self, year: i32) -> Basis {
        if (self.years.0..=self.years.1).contains(&year) {
            Basis::Official
        } else if statutory::computes(year) {
            Basis::Statutory
        } else {
            Basis::WeekendsOnly
        }
    }

    /// Is `d` a working day? In the calendar's years, as it lists; outside them, Monday to
    /// Friday except the statutory holidays ([`Calendar::basis`]).
    pub fn is_working_day(&self, d: Date) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        if self.holidays.contains(&d) || d.weekday() > 5 {
            return false;
        }
        self.covers(d) || statutory::holiday_on(d).is_none()
    }

    /// The date `n` working days after `from` (before, when `n` is negative). `from`
    /// itself is not counted: one working day after a Friday is the next Monday.
    pub fn add_working_days(&self, from: Date, n: i64) -> Date {
        let step = if n < 0 { -1 } else { 1 };
        let mut left = n.abs();
        let mut d = from;
        let mut walked = 0;
        while left > 0 && walked < MAX_SPAN_DAYS {
            d = d.add_days(step);
            walked += 1;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// `d` when it is a working day, else the first working day after it: where a deadline
    /// falling on a day off lands (《民法典》第二百零三条).
    pub fn on_or_after(&self, d: Date) -> Date {
        let mut d = d;
        let mut walked = 0;
        while !self.is_working_day(d) && walked < MAX_SPAN_DAYS {
            d = d.add_days(1);
            walked += 1;
        }
        d
    }

    /// Working days after `a` up to and including `b` (negative when `b` is earlier).
    pub fn working_days_between(&self, a: Date, b: Date) -> i64 {
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let span = lo.days_until(hi).min(MAX_SPAN_DAYS);
        sign * (1..=span).filter(|k| self.is_working_day(lo.add_days(*k))).count() as i64
    }
}

/// How the days off of a year are known ([`Calendar::basis`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The calendar covers the year: its holidays and make-up working days are as listed.
    Official,
    /// The calendar does not cover the year, 2000–2099: the statutory holidays are computed,
    /// the year's make-up working days and days off in lieu are unknown.
    Statutory,
    /// Neither: only weekends are known.
    WeekendsOnly,
}

/// The most a calendar document may weigh: every day of the 252 years a calendar may
/// cover, listed, fits in less than a fifth of it.
pub const MAX_CALENDAR_BYTES: usize = 8 << 20;

/// Why a calendar is refused, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The text is longer than [`MAX_CALENDAR_BYTES`].
    #[error("calendar: {bytes} bytes, more than the {limit} a calendar may have")]
    TooLarge {
        /// The text's length.
        bytes: usize,
        /// [`MAX_CALENDAR_BYTES`].
        limit: usize,
    },
    /// Not JSON, or an object with a duplicate key.
    #[error("calendar, line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A value of the document is wrong.
    #[error("calendar at {}: {problem}", if pointer.is_empty() { "the top" } else { pointer.as_str() })]
    Invalid {
        /// The JSON Pointer of the value (`""`: the document).
        pointer: String,
        /// What is wrong with it.
        problem: CalendarProblem,
    },
}

impl CalendarError {
    /// The JSON Pointer of the offending value, when there is one.
    pub fn pointer(&self) -> Option<&str> {
        match self {
            CalendarError::Invalid { pointer, .. } => Some(pointer),
            _ => None,
        }
    }

    /// The message in both languages.
    pub fn message(&self) -> Text {
        match self {
            CalendarError::TooLarge { bytes, limit } => Text::new(
                format!("工作日历：{bytes}字节，超过上限{limit}字节"),
                format!("calendar: {bytes} bytes, more than the {limit} a calendar may have"),
            ),
            CalendarError::Syntax { line, column, message } => Text::new(
                format!("工作日历第{line}行第{column}列：不是有效的JSON（{message}）"),
                format!("calendar, line {line}, column {column}: {message}"),
            ),
            CalendarError::Invalid { pointer, problem } => {
                let p = problem.message();
                let at = if pointer.is_empty() { "/" } else { pointer.as_str() };
                Text::new(format!("工作日历 {at}：{}", p.zh), format!("calendar at {at}: {}", p.en))
            }
        }
    }
}

/// What is wrong with a value of a calendar document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarProblem {
    /// The value does not have the expected shape.
    #[error("expected {expected}")]
    Shape {
        /// What was expected, in English.
        expected: &'static str,
    },
    /// A member the format does not have.
    #[error("unknown member `{name}`: a calendar has name, sources, years, holidays and workdays")]
    Unknown {
        /// The member's name.
        name: String,
    },
    /// A required member is missing.
    #[error("`{name}` is missing")]
    Missing {
        /// The member's name.
        name: &'static str,
    },
    /// The years are out of range or in the wrong order.
    #[error(
        "years [{first}, {last}]: the first and last year covered must be from {MIN_YEAR} to {MAX_YEAR}, the first not after the last"
    )]
    Years {
        /// The first year given.
        first: i64,
        /// The last year given.
        last: i64,
    },
    /// Not a `YYYY-MM-DD` date.
    #[error("`{text}` is not a date (YYYY-MM-DD)")]
    NotADate {
        /// The text.
        text: String,
    },
    /// A date outside the calendar's years.
    #[error("{date} is outside the years the calendar covers ({first}–{last})")]
    OutsideYears {
        /// The date.
        date: String,
        /// The first year covered.
        first: i32,
        /// The last year covered.
        last: i32,
    },
    /// More dates than the years covered have days.
    #[error("{count} dates: more than the {most} days of the years the calendar covers")]
    TooMany {
        /// How many are listed.
        count: usize,
        /// Days in the years covered.
        most: usize,
    },
    /// A date listed twice.
    #[error("{date} is listed twice")]
    Twice {
        /// The date.
        date: String,
    },
    /// A date both a holiday and a make-up working day.
    #[error("{date} is both a holiday and a make-up working day")]
    Both {
        /// The date.
        date: String,
    },
    /// A make-up working day that is not a Saturday or a Sunday.
    #[error("{date} is a weekday: a make-up working day (调休上班) is a Saturday or a Sunday")]
    WeekdayWorked {
        /// The date.
        date: String,
    },
    /// A statutory holiday of a covered year that is not listed as a holiday.
    #[error("{date} ({holiday}) is a statutory holiday of 《全国年节及纪念日放假办法》 but is not listed")]
    StatutoryMissing {
        /// The date.
        date: String,
        /// The holiday's name, in English.
        holiday: String,
        /// The holiday's name, in Chinese.
        holiday_zh: String,
    },
    /// Adding a calendar would leave years between the two uncovered.
    #[error(
        "the calendar covers {first}–{last}: adding {adding_first}–{adding_last} would leave the years between uncovered; add them first"
    )]
    Gap {
        /// The first year covered so far.
        first: i32,
        /// The last year covered so far.
        last: i32,
        /// The first year added.
        adding_first: i32,
        /// The last year added.
        adding_last: i32,
    },
}

impl CalendarProblem {
    /// The problem in both languages.
    pub fn message(&self) -> Text {
        let zh = match self {
            CalendarProblem::Shape { expected } => format!(
                "格式不对，应为{}",
                match *expected {
                    "an object" => "对象",
                    "text" => "文本",
                    "a list of text" => "文本列表",
                    "[first year, last year]" => "[起始年, 结束年]",
                    "a list of dates" => "日期列表",
                    _ => expected,
                }
            ),
            CalendarProblem::Unknown { name } => {
                format!("未知的成员“{name}”：工作日历只有 name、sources、years、holidays、workdays")
            }
            CalendarProblem::Missing { name } => format!("缺少“{name}”"),
            CalendarProblem::Years { first, last } => {
                format!("年份[{first}, {last}]须在{MIN_YEAR}至{MAX_YEAR}之间，且起始年不晚于结束年")
            }
            CalendarProblem::NotADate { text } => format!("“{text}”不是日期（YYYY-MM-DD）"),
            CalendarProblem::OutsideYears { date, first, last } => {
                format!("{date}不在日历覆盖的年份（{first}—{last}年）内")
            }
            CalendarProblem::TooMany { count, most } => {
                format!("列出{count}个日期，多于覆盖年份的天数{most}")
            }
            CalendarProblem::Twice { date } => format!("{date}重复列出"),
            CalendarProblem::Both { date } => format!("{date}既是放假日又是调休上班日"),
            CalendarProblem::WeekdayWorked { date } => {
                format!("{date}是工作日：调休上班日只能是星期六或星期日")
            }
            CalendarProblem::StatutoryMissing { date, holiday_zh, .. } => {
                format!(
                    "{date}（{holiday_zh}）是《全国年节及纪念日放假办法》规定的法定节假日，但未列为放假日"
                )
            }
            CalendarProblem::Gap { first, last, adding_first, adding_last } => format!(
                "日历覆盖{first}—{last}年，加入{adding_first}—{adding_last}年会使中间的年份没有日历，请先加入这些年份"
            ),
        };
        Text::new(zh, self.to_string())
    }
}

/// The members of a calendar document.
const MEMBERS: [&str; 5] = ["name", "sources", "years", "holidays", "workdays"];

impl Calendar {
    /// Reads a calendar from JSON text (`schemas/calendar.schema.json`) and checks it
    /// ([`Calendar::check`]): every error names its JSON Pointer.
    pub fn from_json(text: &str) -> Result<Calendar, CalendarError> {
        if text.len() > MAX_CALENDAR_BYTES {
            return Err(CalendarError::TooLarge { bytes: text.len(), limit: MAX_CALENDAR_BYTES });
        }
        let value = crate::base::json::unique::parse(text).map_err(|e| {
            let (line, column) = e.position();
            CalendarError::Syntax { line, column, message: e.message() }
        })?;
        Calendar::from_value(&value)
    }

    /// Reads a calendar from a JSON value and checks it, as [`Calendar::from_json`].
    pub fn from_value(value: &serde_json::Value) -> Result<Calendar, CalendarError> {
        use serde_json::Value;
        let bad = |pointer: &str, problem| CalendarError::Invalid { pointer: pointer.to_owned(), problem };
        let shape = |pointer: &str, expected| bad(pointer, CalendarProblem::Shape { expected });
        let Value::Object(map) = value else { return Err(shape("", "an object")) };
        if let Some(name) = map.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
            let pointer = format!("/{}", crate::base::pointer::escape(name));
            return Err(bad(&pointer, CalendarProblem::Unknown { name: name.clone() }));
        }
        let member =
            |name: &'static str| map.get(name).ok_or_else(|| bad("", CalendarProblem::Missing { name }));
        let text =
            |v: &Value, pointer: &str| v.as_str().map(str::to_owned).ok_or_else(|| shape(pointer, "text"));

        let Value::Object(n) = member("name")? else { return Err(shape("/name", "an object")) };
        if let Some(k) = n.keys().find(|k| *k != "zh" && *k != "en") {
            return Err(shape(&format!("/name/{}", crate::base::pointer::escape(k)), "an object {zh, en}"));
        }
        let lang = |k: &'static str| {
            n.get(k)
                .ok_or_else(|| bad("/name", CalendarProblem::Missing { name: k }))
                .and_then(|v| text(v, &format!("/name/{k}")))
        };
        let name = Text::new(lang("zh")?, lang("en")?);

        let sources = match map.get("sources") {
            None => Vec::new(),
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, v)| text(v, &format!("/sources/{i}")))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(shape("/sources", "a list of text")),
        };

        let years = match member("years")? {
            Value::Array(pair) => match pair.as_slice() {
                [a, b] => (a.as_i64(), b.as_i64()),
                _ => (None, None),
            },
            _ => (None, None),
        };
        let (Some(first), Some(last)) = years else { return Err(shape("/years", "[first year, last year]")) };
        let sane = |y: i64| (i64::from(MIN_YEAR)..=i64::from(MAX_YEAR)).contains(&y);
        let years = match (i32::try_from(first), i32::try_from(last)) {
            (Ok(a), Ok(b)) if sane(first) && sane(last) && a <= b => (a, b),
            _ => return Err(bad("/years", CalendarProblem::Years { first, last })),
        };

        // No year has more than 366 days: a longer list is refused before its dates are read.
        let most = usize::try_from(years.1 - years.0 + 1).unwrap_or(0).saturating_mul(366);
        let dates = |name: &'static str| -> Result<Vec<(String, Date)>, CalendarError> {
            let Value::Array(list) = member(name)? else {
                return Err(shape(&format!("/{name}"), "a list of dates"));
            };
            if list.len() > most {
                return Err(bad(&format!("/{name}"), CalendarProblem::TooMany { count: list.len(), most }));
            }
            list.iter()
                .enumerate()
                .map(|(i, v)| {
                    let pointer = format!("/{name}/{i}");
                    let t = text(v, &pointer)?;
                    let d = t
                        .parse::<Date>()
                        .map_err(|_| bad(&pointer, CalendarProblem::NotADate { text: t.clone() }))?;
                    Ok((pointer, d))
                })
                .collect()
        };
        let holidays = dates("holidays")?;
        let workdays = dates("workdays")?;

        let mut seen = BTreeSet::new();
        for (pointer, d) in holidays.iter().chain(&workdays) {
            let date = d.to_string();
            if !(years.0..=years.1).contains(&d.year()) {
                return Err(bad(
                    pointer,
                    CalendarProblem::OutsideYears { date, first: years.0, last: years.1 },
                ));
            }
            if !seen.insert(*d) {
                let both = holidays.iter().any(|(_, h)| h == d) && workdays.iter().any(|(_, w)| w == d);
                let problem =
                    if both { CalendarProblem::Both { date } } else { CalendarProblem::Twice { date } };
                return Err(bad(pointer, problem));
            }
        }
        let cal = Calendar {
            name,
            sources,
            years,
            holidays: holidays.into_iter().map(|(_, d)| d).collect(),
            workdays: workdays.iter().map(|(_, d)| *d).collect(),
        };
        if let Some((pointer, d)) = workdays.iter().find(|(_, d)| d.weekday() <= 5) {
            return Err(bad(pointer, CalendarProblem::WeekdayWorked { date: d.to_string() }));
        }
        cal.check()?;
        Ok(cal)
    }

    /// Checks what [`Calendar::from_json`] checks beyond the shape, on a calendar built by
    /// other means: the years within [`MIN_YEAR`]`..=`[`MAX_YEAR`] and in order; every
    /// date within them; no day both a holiday and a make-up working day; every make-up
    /// working day a Saturday or a Sunday; every statutory holiday of a covered year from
    /// 2000 to 2099 listed as a holiday (an official calendar always lists them: one left
    /// out is a typing mistake).
    pub fn check(&self) -> Result<(), CalendarError> {
        let bad =
            |pointer: &str, problem| Err(CalendarError::Invalid { pointer: pointer.to_owned(), problem });
        let (first, last) = self.years;
        if !((MIN_YEAR..=MAX_YEAR).contains(&first) && (MIN_YEAR..=MAX_YEAR).contains(&last) && first <= last)
        {
            return bad("/years", CalendarProblem::Years { first: i64::from(first), last: i64::from(last) });
        }
        for (name, set) in [("holidays", &self.holidays), ("workdays", &self.workdays)] {
            for (i, d) in set.iter().enumerate() {
                let pointer = format!("/{name}/{i}");
                let date = d.to_string();
                if !(first..=last).contains(&d.year()) {
                    return bad(&pointer, CalendarProblem::OutsideYears { date, first, last });
                }
                if name == "workdays" && self.holidays.contains(d) {
                    return bad(&pointer, CalendarProblem::Both { date });
                }
                if name == "workdays" && d.weekday() <= 5 {
                    return bad(&pointer, CalendarProblem::WeekdayWorked { date });
                }
            }
        }
        for year in first.max(statutory::FIRST_YEAR)..=last.min(statutory::LAST_YEAR) {
            if let Some((d, h)) =
                statutory::holidays(year).into_iter().find(|(d, _)| !self.holidays.contains(d))
            {
                let title = h.title();
                return bad(
                    "/holidays",
                    CalendarProblem::StatutoryMissing {
                        date: d.to_string(),
                        holiday: title.en,
                        holiday_zh: title.zh,
                    },
                );
            }
        }
        Ok(())
    }

    /// This calendar with `newer`'s years added: in the years `newer` covers, its holidays
    /// and make-up working days replace this calendar's; the others stay. The two must
    /// overlap or touch (2025–2026 and 2027), so that no year between them is left without
    /// a calendar. The name stays this calendar's; `newer`'s sources are added to its own.
    ///
    /// ```
    /// use onething::{Calendar, Date};
    ///
    /// let y2027 = Calendar::from_json(r#"{
    ///   "name": {"zh": "2027年放假安排", "en": "Holidays of 2027"},
    ///   "years": [2027, 2027],
    ///   "holidays": ["2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08",
    ///                "2027-04-05", "2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15",
    ///                "2027-10-01", "2027-10-02", "2027-10-03", "2027-10-04"],
    ///   "workdays": ["2027-10-09"]
    /// }"#).unwrap();
    /// let cal = Calendar::prc().extended(&y2027).unwrap();
    /// assert_eq!(cal.years, (2025, 2027));
    /// assert!(cal.is_working_day("2027-10-09".parse::<Date>().unwrap()));
    /// assert!(Calendar::prc().is_working_day("2026-10-10".parse::<Date>().unwrap()));
    /// ```
    pub fn extended(&self, newer: &Calendar) -> Result<Calendar, CalendarError> {
        let (a, b) = self.years;
        let (c, e) = newer.years;
        if a > b {
            return Ok(newer.clone());
        }
        if c > b.saturating_add(1) || e < a.saturating_sub(1) {
            return Err(CalendarError::Invalid {
                pointer: "/years".into(),
                problem: CalendarProblem::Gap { first: a, last: b, adding_first: c, adding_last: e },
            });
        }
        let outside = |d: &&Date| !(c..=e).contains(&d.year());
        let merge = |old: &BTreeSet<Date>, new: &BTreeSet<Date>| -> BTreeSet<Date> {
            old.iter().filter(outside).chain(new).copied().collect()
        };
        let mut sources = self.sources.clone();
        sources.extend(newer.sources.iter().filter(|s| !self.sources.contains(s)).cloned());
        Ok(Calendar {
            name: self.name.clone(),
            sources,
            years: (a.min(c), b.max(e)),
            holidays: merge(&self.holidays, &newer.holidays),
            workdays: merge(&self.workdays, &newer.workdays),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn the_shipped_calendar_parses_and_covers_2025_and_2026() {
        let cal: Calendar = serde_json::from_str(include_str!("../../data/calendar-prc.json")).unwrap();
        assert_eq!(cal.years, (2025, 2026));
        assert_eq!(cal.holidays.len(), 61);
        assert_eq!(cal.workdays.len(), 11);
        assert!(Calendar::prc().covers(d("2026-12-31")));
        assert!(!Calendar::prc().covers(d("2027-01-01")));
        // Every make-up working day is a weekend day; no day is both.
        for w in &cal.workdays {
            assert!(w.weekday() >= 6, "{w}");
            assert!(!cal.holidays.contains(w), "{w}");
        }
    }

    #[test]
    fn spring_festival_2026() {
        let cal = Calendar::prc();
        assert!(cal.is_working_day(d("2026-02-14"))); // Saturday, worked
        for day in 15..=23 {
            assert!(!cal.is_working_day(d(&format!("2026-02-{day:02}"))));
        }
        assert!(cal.is_working_day(d("2026-02-24")));
        // From Friday 2026-02-13: Sat 14th (worked) is the first, then Tue 24th…
        assert_eq!(cal.add_working_days(d("2026-02-13"), 1), d("2026-02-14"));
        assert_eq!(cal.add_working_days(d("2026-02-13"), 2), d("2026-02-24"));
        assert_eq!(cal.working_days_between(d("2026-02-13"), d("2026-02-24")), 2);
        assert_eq!(cal.working_days_between(d("2026-02-24"), d("2026-02-13")), -2);
    }

    #[test]
    fn national_day_2025_and_counting_back() {
        let cal = Calendar::prc();
        assert!(cal.is_working_day(d("2025-09-28"))); // Sunday, worked
        assert!(!cal.is_working_day(d("2025-10-08")));
        assert!(cal.is_working_day(d("2025-10-11"))); // Saturday, worked
        assert_eq!(cal.add_working_days(d("2025-09-30"), 1), d("2025-10-09"));
        assert_eq!(cal.add_working_days(d("2025-10-09"), -1), d("2025-09-30"));
        assert_eq!(cal.add_working_days(d("2025-10-09"), 0), d("2025-10-09"));
    }

    #[test]
    fn outside_the_calendar_the_statutory_holidays_count() {
        let cal = Calendar::prc();
        assert!(!cal.is_working_day(d("2027-01-02"))); // Saturday
        assert!(!cal.is_working_day(d("2027-01-01"))); // 元旦, a Friday: computed
        assert_eq!(cal.basis(2027), Basis::Statutory);
        assert_eq!(cal.basis(2026), Basis::Official);
        assert_eq!(cal.basis(2100), Basis::WeekendsOnly);
        assert_eq!(cal.basis(1999), Basis::WeekendsOnly);
        // 2027: 除夕 Friday 5 February to 初三 Monday 8 February.
        assert_eq!(cal.add_working_days(d("2027-02-04"), 1), d("2027-02-09"));
        assert_eq!(cal.working_days_between(d("2027-02-04"), d("2027-02-09")), 1);
        // 2030-01-01 is a Tuesday and 元旦: four working days to the 8th.
        assert_eq!(cal.working_days_between(d("2030-01-01"), d("2030-01-08")), 5);
        assert_eq!(cal.working_days_between(d("2029-12-31"), d("2030-01-08")), 5);
        // Beyond 2099 only weekends: 2100-01-01 is a Friday.
        assert!(cal.is_working_day(d("2100-01-01")));
        // Absurd counts end at the span limit instead of looping.
        let far = cal.add_working_days(d("2026-01-01"), i64::MAX);
        assert!(far > d("2060-01-01"));
    }

    #[test]
    fn the_official_years_agree_with_the_statutory_rules() {
        // Every statutory day of 2025 and 2026 is a holiday of the shipped calendar, and
        // the shipped calendar passes every check of a loaded one.
        Calendar::prc().check().unwrap();
        let text = include_str!("../../data/calendar-prc.json");
        assert_eq!(Calendar::from_json(text).unwrap(), *Calendar::prc());
    }

    fn doc(years: &str, holidays: &str, workdays: &str) -> String {
        format!(
            r#"{{"name": {{"zh": "日历", "en": "Calendar"}}, "years": {years}, "holidays": [{holidays}], "workdays": [{workdays}]}}"#
        )
    }

    const H2027: &str = r#""2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-04-05", "2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-02", "2027-10-03""#;

    const H2026: &str = r#""2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-04-05", "2026-05-01", "2026-05-02", "2026-06-19", "2026-09-25", "2026-10-01", "2026-10-02", "2026-10-03""#;

    const H2029: &str = r#""2029-01-01", "2029-02-12", "2029-02-13", "2029-02-14", "2029-02-15", "2029-04-04", "2029-05-01", "2029-05-02", "2029-06-16", "2029-09-22", "2029-10-01", "2029-10-02", "2029-10-03""#;

    fn refused(text: &str) -> (Option<String>, String) {
        let e = Calendar::from_json(text).unwrap_err();
        assert!(!e.message().zh.is_empty());
        (e.pointer().map(str::to_owned), e.to_string())
    }

    #[test]
    fn a_loaded_calendar_is_checked_and_names_the_place() {
        let ok = Calendar::from_json(&doc("[2027, 2027]", H2027, r#""2027-02-20""#)).unwrap();
        assert_eq!(ok.years, (2027, 2027));
        let cases: [(String, &str, &str); 17] = [
            ("[]".into(), "", "expected an object"),
            ("{".into(), "", "line 1"),
            (r#"{"a": 1, "a": 2}"#.into(), "", "duplicate key"),
            (doc("[2027, 2027]", H2027, "").replace(r#""years""#, r#""yeers""#), "/yeers", "unknown member"),
            (r#"{"name": {"zh": "x", "en": "y"}}"#.into(), "", "`years` is missing"),
            (doc("[2027]", H2027, ""), "/years", "[first year, last year]"),
            (doc("[2028, 2027]", H2027, ""), "/years", "the first not after the last"),
            (doc("[1900, 2027]", H2027, ""), "/years", "from 1949"),
            (doc("[2027, 99999999999]", H2027, ""), "/years", "99999999999"),
            (doc("[2027, 2027]", &format!("{H2027}, 5"), ""), "/holidays/13", "expected text"),
            (doc("[2027, 2027]", &format!(r#"{H2027}, "2027-02-30""#), ""), "/holidays/13", "not a date"),
            (
                doc("[2027, 2027]", &format!(r#"{H2027}, "2028-01-01""#), ""),
                "/holidays/13",
                "outside the years",
            ),
            (doc("[2027, 2027]", &format!(r#"{H2027}, "2027-01-01""#), ""), "/holidays/13", "listed twice"),
            (
                doc("[2027, 2027]", H2027, &vec![r#""2027-01-02""#; 367].join(",")),
                "/workdays",
                "more than the 366 days",
            ),
            (doc("[2027, 2027]", H2027, r#""2027-02-08""#), "/workdays/0", "both a holiday"),
            (doc("[2027, 2027]", H2027, r#""2027-02-10""#), "/workdays/0", "a weekday"),
            (
                doc("[2027, 2027]", &H2027.replace(r#""2027-06-09", "#, ""), ""),
                "/holidays",
                "2027-06-09 (Dragon Boat",
            ),
        ];
        for (text, pointer, says) in cases {
            let (at, message) = refused(&text);
            assert_eq!(at.as_deref().unwrap_or(""), pointer, "{text}: {message}");
            assert!(message.contains(says), "{text}: {message}");
        }
        // Hostile: deep nesting and an oversized text are refused without a panic.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(Calendar::from_json(&deep).is_err());
        let huge = format!("{} {}", doc("[2027, 2027]", H2027, ""), " ".repeat(MAX_CALENDAR_BYTES));
        assert!(matches!(Calendar::from_json(&huge), Err(CalendarError::TooLarge { .. })));
        // The message says it in both languages.
        let e = Calendar::from_json(&doc("[2027, 2027]", H2027, r#""2027-02-10""#)).unwrap_err();
        assert!(e.message().zh.contains("工作日历 /workdays/0：2027-02-10是工作日"), "{}", e.message().zh);
    }

    #[test]
    fn a_new_year_extends_the_shipped_calendar() {
        let y2027 = Calendar::from_json(&doc("[2027, 2027]", H2027, r#""2027-02-20""#)).unwrap();
        let cal = Calendar::prc().extended(&y2027).unwrap();
        assert_eq!(cal.years, (2025, 2027));
        assert_eq!(cal.basis(2027), Basis::Official);
        assert!(cal.is_working_day(d("2027-02-20"))); // a Saturday worked, as the new year says
        assert!(cal.is_working_day(d("2026-02-14"))); // the shipped years stay
        assert!(!cal.is_working_day(d("2025-10-08")));
        cal.check().unwrap();
        // A year that replaces a shipped one: its days only.
        let y2026 = Calendar::from_json(&doc("[2026, 2026]", H2026, "")).unwrap();
        let replaced = Calendar::prc().extended(&y2026).unwrap();
        assert_eq!(replaced.years, (2025, 2026));
        assert!(replaced.is_working_day(d("2026-10-05"))); // no longer off
        assert!(!replaced.is_working_day(d("2025-10-08"))); // 2025 untouched
        // A gap is refused, naming both ranges.
        let y2029 = Calendar::from_json(&doc("[2029, 2029]", H2029, "")).unwrap();
        let e = Calendar::prc().extended(&y2029).unwrap_err();
        assert_eq!(e.pointer(), Some("/years"));
        assert!(e.to_string().contains("2025–2026") && e.to_string().contains("2029–2029"), "{e}");
        assert!(cal.extended(&y2029).is_err());
        let three = cal.extended(&Calendar::prc().extended(&y2027).unwrap()).unwrap();
        assert_eq!(three, cal);
    }
}
