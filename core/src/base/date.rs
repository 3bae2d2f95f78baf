//! Civil calendar dates without time zones.
//!
//! Government deadlines are counted in whole days, in China's single time zone, so a date is
//! just year, month and day. The evaluation date is always an input (the library never reads
//! a clock). Arithmetic goes through a day number (days since 1970-01-01) using Howard
//! Hinnant's `days_from_civil` algorithm.
//!
//! ```
//! use onething::Date;
//!
//! let d: Date = "2024-02-28".parse().unwrap();
//! assert_eq!(d.add_days(2).to_string(), "2024-03-01");
//! assert!("2023-02-29".parse::<Date>().is_err());
//! ```

use std::fmt;
use std::str::FromStr;

/// A calendar date (proleptic Gregorian), years 1 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The text does not have the shape of the expected layout.
    #[error("`{text}` does not match the date layout {layout}")]
    Layout {
        /// The text that was read.
        text: String,
        /// The layout it was read with.
        layout: String,
    },
    /// The shape is right but the day does not exist (Feb 30, month 13…).
    #[error("`{text}` is not a calendar date")]
    NoSuchDay {
        /// The text that was read.
        text: String,
    },
}

impl Date {
    /// Builds a date, or `None` when the day does not exist.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let year = u16::try_from(year).ok().filter(|y| (1..=9999).contains(y))?;
        let month = u8::try_from(month).ok().filter(|m| (1..=12).contains(m))?;
        let day = u8::try_from(day).ok()?;
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// The year.
    pub fn year(self) -> i32 {
        i32::from(self.year)
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u32 {
        u32::from(self.day)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn day_number(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date of a day number, or `None` outside years 1 to 9999.
    pub fn from_day_number(n: i64) -> Option<Date> {
        let z = n + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(i32::try_from(year).ok()?, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
    }

    /// The date `days` later (earlier when negative); saturates at the ends of the range.
    pub fn add_days(self, days: i64) -> Date {
        Date::from_day_number(self.day_number().saturating_add(days)).unwrap_or(if days < 0 {
            Date::MIN
        } else {
            Date::MAX
        })
    }

    /// The same day `months` later (earlier when negative) or, when that month is too
    /// short, its last day — how periods in months and years end (Civil Code arts.
    /// 201–202: 2024-02-29 plus one year is 2025-02-28). Saturates at the ends of the range.
    pub fn add_months(self, months: i64) -> Date {
        let target = (i64::from(self.year) * 12 + i64::from(self.month) - 1).saturating_add(months);
        let year = u16::try_from(target.div_euclid(12)).ok().filter(|y| (1..=9999).contains(y));
        // `rem_euclid(12) + 1` is 1 to 12: the conversion cannot fail.
        let month = u8::try_from(target.rem_euclid(12) + 1).ok();
        match (year, month) {
            (Some(year), Some(month)) => Date { year, month, day: self.day.min(days_in_month(year, month)) },
            _ if months < 0 => Date::MIN,
            _ => Date::MAX,
        }
    }

    /// Calendar days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.day_number() - self.day_number()
    }

    /// Day of the week, Monday = 1 … Sunday = 7.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (4).
        let w = (self.day_number() + 3).rem_euclid(7) + 1;
        u32::try_from(w).unwrap_or(1)
    }

    /// Whole years from `self` (a birth date) to `on`: the age on that date.
    pub fn years_until(self, on: Date) -> i64 {
        let mut years = i64::from(on.year) - i64::from(self.year);
        if (on.month, on.day) < (self.month, self.day) {
            years -= 1;
        }
        years
    }

    /// Whole months from `self` to `on` (negative when `on` is earlier): the most months
    /// `n` with `self.add_months(n)` not after `on`, so a month from 31 January ends on the
    /// last day of February (Civil Code art. 202: without a corresponding day, the month's
    /// last day ends the period).
    pub fn months_until(self, on: Date) -> i64 {
        if on < self {
            return -on.months_until(self);
        }
        let months = self.calendar_months_until(on);
        if self.add_months(months) > on { months - 1 } else { months }
    }

    /// Months from `self`'s month to `on`'s, the days left out: from any day of April to any
    /// day of June is 2.
    pub fn calendar_months_until(self, on: Date) -> i64 {
        (i64::from(on.year) * 12 + i64::from(on.month)) - (i64::from(self.year) * 12 + i64::from(self.month))
    }

    /// The earliest representable date, 0001-01-01.
    pub const MIN: Date = Date { year: 1, month: 1, day: 1 };
    /// The latest representable date, 9999-12-31.
    pub const MAX: Date = Date { year: 9999, month: 12, day: 31 };

    /// Reads a date in a layout made of `YYYY`, `MM`, `DD` and literal characters, such as
    /// `YYYYMMDD` or `YYYY年MM月DD日` (a time part `HH`, `mm`, `ss` is read and checked, then
    /// left out: see [`Fields`] for the time).
    pub fn parse_layout(text: &str, layout: &str) -> Result<Date, DateError> {
        let f = Fields::parse(text, layout)?;
        let layout_err = || DateError::Layout { text: text.to_owned(), layout: layout.to_owned() };
        let (Some(y), Some(m), Some(d)) = (f.year, f.month, f.day) else {
            return Err(layout_err());
        };
        let y = i32::try_from(y).map_err(|_| layout_err())?;
        Date::new(y, m, d).ok_or_else(|| DateError::NoSuchDay { text: text.to_owned() })
    }

    /// Writes the date in a layout (see [`Date::parse_layout`]); a time part is written as
    /// zeros.
    pub fn format_layout(self, layout: &str) -> String {
        Fields::of(self).format(layout)
    }
}

/// The parts a layout reads or writes: year, month, day, hour, minute, second, each when
/// the layout has its token (`YYYY`, `MM`, `DD`, `HH`, `mm`, `ss`; the other characters are
/// literal). A month layout (`YYYYMM`) has no day; a date-time layout
/// (`YYYY-MM-DD HH:mm:ss`) has all six.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fields {
    /// `YYYY`.
    pub year: Option<u32>,
    /// `MM`, 1 to 12.
    pub month: Option<u32>,
    /// `DD`, 1 to 31 (whether the day exists in its month is the reader's to check).
    pub day: Option<u32>,
    /// `HH`, 0 to 23.
    pub hour: Option<u32>,
    /// `mm`, 0 to 59.
    pub minute: Option<u32>,
    /// `ss`, 0 to 59.
    pub second: Option<u32>,
}

/// The tokens of a layout, their widths, and the largest value each takes.
const TOKENS: [(&str, usize, u32); 6] =
    [("YYYY", 4, 9999), ("MM", 2, 12), ("DD", 2, 31), ("HH", 2, 23), ("mm", 2, 59), ("ss", 2, 59)];

impl Fields {
    /// The fields of a date, time left out.
    pub fn of(d: Date) -> Fields {
        Fields {
            year: Some(u32::from(d.year)),
            month: Some(d.month()),
            day: Some(d.day()),
            ..Fields::default()
        }
    }

    fn slot(&mut self, token: usize) -> Option<&mut Option<u32>> {
        match token {
            0 => Some(&mut self.year),
            1 => Some(&mut self.month),
            2 => Some(&mut self.day),
            3 => Some(&mut self.hour),
            4 => Some(&mut self.minute),
            5 => Some(&mut self.second),
            _ => None,
        }
    }

    fn get(&self, token: usize) -> Option<u32> {
        [self.year, self.month, self.day, self.hour, self.minute, self.second].get(token).copied().flatten()
    }

    /// Reads `text` written in `layout`: every token's digits, every literal character as
    /// it stands, nothing more. A month of 0 or 13, an hour of 24… is [`DateError::NoSuchDay`].
    pub fn parse(text: &str, layout: &str) -> Result<Fields, DateError> {
        let layout_err = || DateError::Layout { text: text.to_owned(), layout: layout.to_owned() };
        let mut out = Fields::default();
        let mut rest = text;
        let mut lay = layout;
        while !lay.is_empty() {
            let Some((i, (token, width, max))) =
                TOKENS.iter().enumerate().find(|(_, (t, ..))| lay.starts_with(t))
            else {
                let c = lay.chars().next().ok_or_else(layout_err)?;
                rest = rest.strip_prefix(c).ok_or_else(layout_err)?;
                lay = lay.get(c.len_utf8()..).unwrap_or_default();
                continue;
            };
            let digits = rest.get(..*width).filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
            let n = digits.ok_or_else(layout_err)?.parse::<u32>().map_err(|_| layout_err())?;
            let least = u32::from(i < 3 && i > 0);
            if n < least || n > *max {
                return Err(DateError::NoSuchDay { text: text.to_owned() });
            }
            *out.slot(i).ok_or_else(layout_err)? = Some(n);
            rest = rest.get(*width..).unwrap_or_default();
            lay = lay.get(token.len()..).unwrap_or_default();
        }
        if !rest.is_empty() {
            return Err(layout_err());
        }
        Ok(out)
    }

    /// Writes the fields in `layout` (a token whose field is missing is written as zeros).
    pub fn format(&self, layout: &str) -> String {
        // One pass and one allocation (dispatch writes every date field of every view).
        let mut out = String::with_capacity(layout.len());
        let mut rest = layout;
        while let Some(c) = rest.chars().next() {
            match TOKENS.iter().enumerate().find(|(_, (t, ..))| rest.starts_with(t)) {
                Some((i, (token, width, _))) => {
                    push_padded(&mut out, self.get(i).unwrap_or(0), *width);
                    rest = rest.get(token.len()..).unwrap_or_default();
                }
                None => {
                    out.push(c);
                    rest = rest.get(c.len_utf8()..).unwrap_or_default();
                }
            }
        }
        out
    }
}

/// What a layout writes, by its tokens ([`layout_kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutKind {
    /// `YYYY`, `MM`, `DD`: a date.
    Date,
    /// `YYYY`, `MM`, `DD`, `HH`, `mm`, `ss`: a date and a time of day.
    DateTime,
    /// `YYYY`, `MM`: a month.
    Month,
}

/// The kind of a layout: each of its tokens once, and one of the three sets of
/// [`LayoutKind`]; its literal characters neither digits nor the letters of a token
/// (`Y`, `M`, `D`, `H`, `m`, `s`). `None` for anything else (`YYMMDD`, `YYYY-MM-DD HH`).
pub fn layout_kind(layout: &str) -> Option<LayoutKind> {
    let count = |t: &str| layout.matches(t).count();
    let mut literals = layout.to_owned();
    for (t, ..) in TOKENS {
        literals = literals.replace(t, "");
    }
    if literals.chars().any(|c| c.is_ascii_digit() || "YMDHms".contains(c)) {
        return None;
    }
    match TOKENS.map(|(t, ..)| count(t)) {
        [1, 1, 1, 0, 0, 0] => Some(LayoutKind::Date),
        [1, 1, 1, 1, 1, 1] => Some(LayoutKind::DateTime),
        [1, 1, 0, 0, 0, 0] => Some(LayoutKind::Month),
        _ => None,
    }
}

/// Appends `n` in decimal, zero-padded to `width` digits.
fn push_padded(out: &mut String, n: u32, width: usize) {
    // By hand: `write!` with padding goes through the formatting machinery, which cost a
    // thousand instructions per date, and validation and dispatch format every date field.
    let digits = n.checked_ilog10().map_or(1, |d| d as usize + 1).max(width);
    for place in (0..digits).rev() {
        let power = u32::try_from(place).ok().and_then(|p| 10u32.checked_pow(p));
        let digit = power.map_or(0, |p| n / p % 10);
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

/// Checks that a layout is a date layout: `YYYY`, `MM` and `DD` exactly once, no time part.
pub fn is_valid_layout(layout: &str) -> bool {
    layout_kind(layout) == Some(LayoutKind::Date)
}

fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl FromStr for Date {
    type Err = DateError;

    /// Reads an ISO 8601 calendar date, `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse_layout(s, "YYYY-MM-DD")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn months_end_on_the_corresponding_day_or_the_months_last() {
        assert_eq!(d("2026-01-31").months_until(d("2026-02-28")), 1);
        assert_eq!(d("2024-01-31").months_until(d("2024-02-28")), 0);
        assert_eq!(d("2024-01-31").months_until(d("2024-02-29")), 1);
        assert_eq!(d("2026-03-15").months_until(d("2026-03-15")), 0);
        assert_eq!(d("2026-03-15").months_until(d("2027-03-14")), 11);
        assert_eq!(d("2027-03-14").months_until(d("2026-03-15")), -11);
        assert_eq!(d("2026-04-30").calendar_months_until(d("2026-06-01")), 2);
        // Over every pair of a year: n whole months is never past `on`, n + 1 always is.
        let start = d("2024-01-01").day_number();
        for a in (0..400).step_by(7).map(|k| Date::from_day_number(start + k).unwrap()) {
            for b in
                (0..400).step_by(3).map(|k| Date::from_day_number(start + k).unwrap()).filter(|b| *b >= a)
            {
                let n = a.months_until(b);
                assert!(a.add_months(n) <= b && a.add_months(n + 1) > b, "{a} {b} {n}");
            }
        }
    }

    #[test]
    fn day_numbers_round_trip_over_centuries() {
        for n in (-719_000..2_900_000).step_by(997) {
            let date = Date::from_day_number(n).unwrap();
            assert_eq!(date.day_number(), n, "{date}");
        }
        assert_eq!(d("1970-01-01").day_number(), 0);
        assert_eq!(d("2000-03-01").day_number(), 11_017);
    }

    #[test]
    fn invalid_days_are_rejected() {
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(2024, 4, 31).is_none());
        assert!(Date::new(2024, 13, 1).is_none());
        assert!(Date::new(0, 1, 1).is_none());
    }

    #[test]
    fn layouts_parse_and_format() {
        let date = Date::parse_layout("20240501", "YYYYMMDD").unwrap();
        assert_eq!(date, d("2024-05-01"));
        assert_eq!(date.format_layout("YYYY年MM月DD日"), "2024年05月01日");
        assert_eq!(date.format_layout("DD/MM/YYYY"), "01/05/2024");
        assert_eq!(date.format_layout("YYYYMMDD"), "20240501");
        assert_eq!(
            Date::parse_layout("0987-12-31", "YYYY-MM-DD").unwrap().format_layout("YYYY.MM.DD"),
            "0987.12.31"
        );
        assert_eq!(Date::parse_layout("2024年05月01日", "YYYY年MM月DD日").unwrap(), date);
        assert!(matches!(Date::parse_layout("2024-5-1", "YYYY-MM-DD"), Err(DateError::Layout { .. })));
        assert!(matches!(Date::parse_layout("20230230", "YYYYMMDD"), Err(DateError::NoSuchDay { .. })));
        assert!(Date::parse_layout("202405011", "YYYYMMDD").is_err());
        assert!(Date::parse_layout("2024+5-01", "YYYY-MM-DD").is_err());
    }

    #[test]
    fn padding_is_written_as_format_would() {
        for (n, width) in
            [(0, 2), (7, 2), (10, 2), (99, 2), (123, 2), (1, 4), (987, 4), (2024, 4), (65535, 4)]
        {
            let mut out = String::new();
            push_padded(&mut out, n, width);
            assert_eq!(out, format!("{n:0width$}"));
        }
        let mut out = String::new();
        push_padded(&mut out, u32::MAX, 12);
        assert_eq!(out, format!("{:012}", u32::MAX));
    }

    #[test]
    fn month_and_date_time_layouts() {
        let f = Fields::parse("202605", "YYYYMM").unwrap();
        assert_eq!((f.year, f.month, f.day), (Some(2026), Some(5), None));
        assert_eq!(f.format("YYYY-MM"), "2026-05");
        assert!(matches!(Fields::parse("202613", "YYYYMM"), Err(DateError::NoSuchDay { .. })));
        assert!(matches!(Fields::parse("202600", "YYYYMM"), Err(DateError::NoSuchDay { .. })));
        assert!(Fields::parse("2026-5", "YYYY-MM").is_err());
        let t = Fields::parse("2026-05-01 08:30:00", "YYYY-MM-DD HH:mm:ss").unwrap();
        assert_eq!((t.hour, t.minute, t.second), (Some(8), Some(30), Some(0)));
        assert_eq!(t.format("YYYYMMDDHHmmss"), "20260501083000");
        assert!(matches!(
            Fields::parse("20260501240000", "YYYYMMDDHHmmss"),
            Err(DateError::NoSuchDay { .. })
        ));
        assert!(matches!(
            Fields::parse("20260501236000", "YYYYMMDDHHmmss"),
            Err(DateError::NoSuchDay { .. })
        ));
        assert_eq!(Date::parse_layout("20260501000000", "YYYYMMDDHHmmss").unwrap(), d("2026-05-01"));
        assert_eq!(d("2026-05-01").format_layout("YYYY-MM-DD HH:mm:ss"), "2026-05-01 00:00:00");
        assert!(Date::parse_layout("202605", "YYYYMM").is_err());
        assert_eq!(layout_kind("YYYYMM"), Some(LayoutKind::Month));
        assert_eq!(layout_kind("YYYY年MM月"), Some(LayoutKind::Month));
        assert_eq!(layout_kind("YYYY-MM-DD HH:mm:ss"), Some(LayoutKind::DateTime));
        assert_eq!(layout_kind("YYYYMMDDHHmmss"), Some(LayoutKind::DateTime));
        assert_eq!(layout_kind("YYYY-MM-DD"), Some(LayoutKind::Date));
        for bad in ["YYYY-MM-DD HH:mm", "YYYY", "MMDD", "YYYYMMDDss", "YYYY-MM-DD 00", ""] {
            assert_eq!(layout_kind(bad), None, "{bad}");
        }
    }

    #[test]
    fn layout_validation() {
        assert!(is_valid_layout("YYYYMMDD"));
        assert!(is_valid_layout("DD/MM/YYYY"));
        assert!(!is_valid_layout("YYYYMM"));
        assert!(!is_valid_layout("YYYYMMDDDD"));
        assert!(!is_valid_layout("YYYY1MMDD"));
    }

    #[test]
    fn months_and_years_end_on_the_same_day_or_the_month_end() {
        assert_eq!(d("2024-02-29").add_months(12), d("2025-02-28"));
        assert_eq!(d("2024-02-29").add_months(48), d("2028-02-29"));
        assert_eq!(d("2026-01-31").add_months(1), d("2026-02-28"));
        assert_eq!(d("2026-01-31").add_months(-2), d("2025-11-30"));
        assert_eq!(d("2026-03-15").add_months(-15), d("2024-12-15"));
        assert_eq!(d("2026-03-15").add_months(0), d("2026-03-15"));
        assert_eq!(d("9999-06-30").add_months(7), Date::MAX);
        assert_eq!(d("0001-06-30").add_months(-7), Date::MIN);
        assert_eq!(d("2026-03-15").add_months(i64::MAX), Date::MAX);
        assert_eq!(d("2026-03-15").add_months(i64::MIN), Date::MIN);
    }

    #[test]
    fn ages_and_weekdays() {
        assert_eq!(d("1949-12-31").years_until(d("2024-12-30")), 74);
        assert_eq!(d("1949-12-31").years_until(d("2024-12-31")), 75);
        assert_eq!(d("2026-11-28").weekday(), 6);
        assert_eq!(d("1970-01-01").weekday(), 4);
        assert_eq!(d("2024-01-01").days_until(d("2025-01-01")), 366);
    }
}
