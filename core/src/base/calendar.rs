//! Working days: weekends, public holidays and make-up working days (调休).
//!
//! Committed time limits and supplement deadlines are counted in working days. A
//! [`Calendar`] says which days are worked: Monday to Friday, except public holidays, plus
//! the weekend days the State Council declares working days when it moves holidays
//! together. The official calendar for 2025 and 2026 ships with the crate
//! ([`Calendar::prc`]); a host can supply its own (a local calendar, later years) in the same
//! JSON form (`schemas/calendar.schema.json`).
//!
//! A calendar covers years from 1949 to 2200 at most ([`MIN_YEAR`], [`MAX_YEAR`]); one that
//! says otherwise is refused when read.
//!
//! Outside the calendar's years only weekends are known: [`Calendar::covers`] tells, and
//! decisions say so when a deadline falls outside.
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
//! ```

use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::base::date::Date;
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

    /// Is `d` a working day?
    pub fn is_working_day(&self, d: Date) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        !self.holidays.contains(&d) && d.weekday() <= 5
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

    /// Working days after `a` up to and including `b` (negative when `b` is earlier).
    pub fn working_days_between(&self, a: Date, b: Date) -> i64 {
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let span = lo.days_until(hi).min(MAX_SPAN_DAYS);
        sign * (1..=span).filter(|k| self.is_working_day(lo.add_days(*k))).count() as i64
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
    fn outside_the_calendar_only_weekends_count() {
        let cal = Calendar::prc();
        assert!(!cal.is_working_day(d("2027-01-02"))); // Saturday
        assert!(cal.is_working_day(d("2027-01-01"))); // a Friday; 2027's holidays are unknown
        assert_eq!(cal.working_days_between(d("2030-01-01"), d("2030-01-08")), 5);
        // Absurd counts end at the span limit instead of looping.
        let far = cal.add_working_days(d("2026-01-01"), i64::MAX);
        assert!(far > d("2060-01-01"));
    }
}
