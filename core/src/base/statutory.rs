//! The statutory public holidays of 《全国年节及纪念日放假办法》 (the National Holidays
//! Measures), computed for any year from 2000 to 2099.
//!
//! The State Council publishes each year's holiday arrangements (放假安排) late in the year
//! before; until then a year's days off are known only as far as the Measures fix them.
//! This module gives those days: the dates every citizen has off, by the version of the
//! Measures in force that year. What it cannot give is the arrangement itself — the weekend
//! days worked in exchange (调休上班) and the weekdays given off when a holiday falls on a
//! weekend (补休) — so a calendar that falls back on it says so ([`crate::calendar`]).
//!
//! | years | version | days |
//! |---|---|---|
//! | 2000–2007 | 1999 (国务院令第270号) | 元旦 1 January; 春节 正月初一–初三; 劳动节 1–3 May; 国庆节 1–3 October |
//! | 2008–2013 | 2007 (国务院令第513号) | 元旦; 春节 除夕, 正月初一, 初二; 清明节; 劳动节 1 May; 端午节; 中秋节; 国庆节 1–3 October |
//! | 2014–2024 | 2013 (国务院令第644号) | as 2007, but 春节 正月初一–初三 |
//! | from 2025 | 2024 (国务院令第795号) | 元旦; 春节 除夕, 正月初一–初三; 清明节; 劳动节 1–2 May; 端午节; 中秋节; 国庆节 1–3 October |
//!
//! The lunar dates (正月初一, 五月初五 for 端午, 八月十五 for 中秋; 除夕 is the day before
//! 正月初一) are a table, `LUNAR`, one row a year. It was computed with the `lunar-python`
//! 1.4.8 package (6tail's astronomical 寿星天文历 algorithm, Beijing time); for every year
//! 1901–2099 it agrees with the month-length table calendar libraries widely copy
//! (`lunarInfo`, in the variant with 2033's leap month as 闰十一月). The official
//! calendars of 2004–2026 list every day computed here as a day off (checked against the
//! `chinese-calendar` 1.11.0 package's transcription of the State Council's notices); the
//! tests check the dates of 2012–2026 as the notices state them, and 2027–2028.
//!
//! 清明 is the day of the solar term (the sun at 15° of ecliptic longitude, Beijing time),
//! from the 寿星 formula `⌊Y·0.2422 + 4.81⌋ − ⌊Y/4⌋` of 4 April (`Y` the year's last two
//! digits), exact for 2000–2099 (it agrees with the astronomical computation above in every
//! one of those years).
//!
//! ```
//! use onething::Date;
//! use onething::statutory::{holiday_on, Holiday};
//!
//! let d = |s: &str| s.parse::<Date>().unwrap();
//! assert_eq!(holiday_on(d("2027-02-05")), Some(Holiday::SpringFestival)); // 除夕
//! assert_eq!(holiday_on(d("2027-06-09")), Some(Holiday::DragonBoat));
//! assert_eq!(holiday_on(d("2027-05-03")), None); // since 2025, Labour Day is 1–2 May
//! assert_eq!(holiday_on(d("2100-01-01")), None); // outside 2000–2099: not computed
//! ```

use crate::base::date::Date;
use crate::base::text::Text;

/// The first year whose statutory holidays are computed.
pub const FIRST_YEAR: i32 = 2000;

/// The last year whose statutory holidays are computed.
pub const LAST_YEAR: i32 = 2099;

/// A public holiday of all citizens under the Measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Holiday {
    /// 元旦, 1 January.
    NewYear,
    /// 春节, around the first day of the first lunar month.
    SpringFestival,
    /// 清明节, the day of the solar term 清明.
    Qingming,
    /// 劳动节, from 1 May.
    LabourDay,
    /// 端午节, the fifth day of the fifth lunar month.
    DragonBoat,
    /// 中秋节, the fifteenth day of the eighth lunar month.
    MidAutumn,
    /// 国庆节, 1–3 October.
    NationalDay,
}

impl Holiday {
    /// The holiday's name in both languages.
    pub fn title(self) -> Text {
        match self {
            Holiday::NewYear => Text::new("元旦", "New Year's Day"),
            Holiday::SpringFestival => Text::new("春节", "Spring Festival"),
            Holiday::Qingming => Text::new("清明节", "Qingming Festival"),
            Holiday::LabourDay => Text::new("劳动节", "Labour Day"),
            Holiday::DragonBoat => Text::new("端午节", "Dragon Boat Festival"),
            Holiday::MidAutumn => Text::new("中秋节", "Mid-Autumn Festival"),
            Holiday::NationalDay => Text::new("国庆节", "National Day"),
        }
    }
}

/// One year's lunar dates as (month, day) of the Gregorian calendar: 正月初一 (the Spring
/// Festival), 五月初五 (端午), 八月十五 (中秋). Row `n` is year `FIRST_YEAR + n`.
type LunarRow = ((u8, u8), (u8, u8), (u8, u8));

#[rustfmt::skip]
const LUNAR: [LunarRow; 100] = [
    ((2, 5), (6, 6), (9, 12)), // 2000
    ((1, 24), (6, 25), (10, 1)), // 2001
    ((2, 12), (6, 15), (9, 21)), // 2002
    ((2, 1), (6, 4), (9, 11)), // 2003
    ((1, 22), (6, 22), (9, 28)), // 2004
    ((2, 9), (6, 11), (9, 18)), // 2005
    ((1, 29), (5, 31), (10, 6)), // 2006
    ((2, 18), (6, 19), (9, 25)), // 2007
    ((2, 7), (6, 8), (9, 14)), // 2008
    ((1, 26), (5, 28), (10, 3)), // 2009
    ((2, 14), (6, 16), (9, 22)), // 2010
    ((2, 3), (6, 6), (9, 12)), // 2011
    ((1, 23), (6, 23), (9, 30)), // 2012
    ((2, 10), (6, 12), (9, 19)), // 2013
    ((1, 31), (6, 2), (9, 8)), // 2014
    ((2, 19), (6, 20), (9, 27)), // 2015
    ((2, 8), (6, 9), (9, 15)), // 2016
    ((1, 28), (5, 30), (10, 4)), // 2017
    ((2, 16), (6, 18), (9, 24)), // 2018
    ((2, 5), (6, 7), (9, 13)), // 2019
    ((1, 25), (6, 25), (10, 1)), // 2020
    ((2, 12), (6, 14), (9, 21)), // 2021
    ((2, 1), (6, 3), (9, 10)), // 2022
    ((1, 22), (6, 22), (9, 29)), // 2023
    ((2, 10), (6, 10), (9, 17)), // 2024
    ((1, 29), (5, 31), (10, 6)), // 2025
    ((2, 17), (6, 19), (9, 25)), // 2026
    ((2, 6), (6, 9), (9, 15)), // 2027
    ((1, 26), (5, 28), (10, 3)), // 2028
    ((2, 13), (6, 16), (9, 22)), // 2029
    ((2, 3), (6, 5), (9, 12)), // 2030
    ((1, 23), (6, 24), (10, 1)), // 2031
    ((2, 11), (6, 12), (9, 19)), // 2032
    ((1, 31), (6, 1), (9, 8)), // 2033
    ((2, 19), (6, 20), (9, 27)), // 2034
    ((2, 8), (6, 10), (9, 16)), // 2035
    ((1, 28), (5, 30), (10, 4)), // 2036
    ((2, 15), (6, 18), (9, 24)), // 2037
    ((2, 4), (6, 7), (9, 13)), // 2038
    ((1, 24), (5, 27), (10, 2)), // 2039
    ((2, 12), (6, 14), (9, 20)), // 2040
    ((2, 1), (6, 3), (9, 10)), // 2041
    ((1, 22), (6, 22), (9, 28)), // 2042
    ((2, 10), (6, 11), (9, 17)), // 2043
    ((1, 30), (5, 31), (10, 5)), // 2044
    ((2, 17), (6, 19), (9, 25)), // 2045
    ((2, 6), (6, 8), (9, 15)), // 2046
    ((1, 26), (5, 29), (10, 4)), // 2047
    ((2, 14), (6, 15), (9, 22)), // 2048
    ((2, 2), (6, 4), (9, 11)), // 2049
    ((1, 23), (6, 23), (9, 30)), // 2050
    ((2, 11), (6, 13), (9, 19)), // 2051
    ((2, 1), (6, 1), (9, 7)), // 2052
    ((2, 19), (6, 20), (9, 26)), // 2053
    ((2, 8), (6, 10), (9, 16)), // 2054
    ((1, 28), (5, 30), (10, 5)), // 2055
    ((2, 15), (6, 17), (9, 24)), // 2056
    ((2, 4), (6, 6), (9, 13)), // 2057
    ((1, 24), (6, 25), (10, 2)), // 2058
    ((2, 12), (6, 14), (9, 21)), // 2059
    ((2, 2), (6, 3), (9, 9)), // 2060
    ((1, 21), (6, 22), (9, 28)), // 2061
    ((2, 9), (6, 11), (9, 17)), // 2062
    ((1, 29), (6, 1), (10, 6)), // 2063
    ((2, 17), (6, 19), (9, 25)), // 2064
    ((2, 5), (6, 8), (9, 15)), // 2065
    ((1, 26), (5, 28), (10, 3)), // 2066
    ((2, 14), (6, 16), (9, 23)), // 2067
    ((2, 3), (6, 4), (9, 11)), // 2068
    ((1, 23), (6, 23), (9, 29)), // 2069
    ((2, 11), (6, 13), (9, 19)), // 2070
    ((1, 31), (6, 2), (9, 8)), // 2071
    ((2, 19), (6, 20), (9, 26)), // 2072
    ((2, 7), (6, 10), (9, 16)), // 2073
    ((1, 27), (5, 30), (10, 5)), // 2074
    ((2, 15), (6, 17), (9, 24)), // 2075
    ((2, 5), (6, 6), (9, 12)), // 2076
    ((1, 24), (6, 24), (10, 1)), // 2077
    ((2, 12), (6, 14), (9, 20)), // 2078
    ((2, 2), (6, 4), (9, 10)), // 2079
    ((1, 22), (6, 22), (9, 28)), // 2080
    ((2, 9), (6, 11), (9, 17)), // 2081
    ((1, 29), (6, 1), (10, 6)), // 2082
    ((2, 17), (6, 19), (9, 26)), // 2083
    ((2, 6), (6, 7), (9, 14)), // 2084
    ((1, 26), (5, 27), (10, 3)), // 2085
    ((2, 14), (6, 15), (9, 22)), // 2086
    ((2, 3), (6, 5), (9, 11)), // 2087
    ((1, 24), (6, 23), (9, 29)), // 2088
    ((2, 10), (6, 13), (9, 18)), // 2089
    ((1, 30), (6, 2), (9, 8)), // 2090
    ((2, 18), (6, 21), (9, 27)), // 2091
    ((2, 7), (6, 9), (9, 16)), // 2092
    ((1, 27), (5, 29), (10, 5)), // 2093
    ((2, 15), (6, 17), (9, 24)), // 2094
    ((2, 5), (6, 6), (9, 13)), // 2095
    ((1, 25), (6, 24), (9, 30)), // 2096
    ((2, 12), (6, 14), (9, 20)), // 2097
    ((2, 1), (6, 4), (9, 9)), // 2098
    ((1, 21), (6, 23), (9, 29)), // 2099
];

/// The lunar row of a year, when computed.
fn lunar(year: i32) -> Option<LunarRow> {
    let n = usize::try_from(year.checked_sub(FIRST_YEAR)?).ok()?;
    LUNAR.get(n).copied()
}

/// The day of April of 清明 in a year from 2000 to 2099 (the 寿星 formula in integers:
/// `⌊(Y·2422 + 48100) / 10000⌋ − ⌊Y/4⌋`).
fn qingming_day(year: i32) -> u32 {
    let y = year.rem_euclid(100);
    let day = (y * 2422 + 48_100) / 10_000 - y / 4;
    u32::try_from(day).unwrap_or(5)
}

/// Which version of the Measures a year falls under.
#[derive(Clone, Copy, PartialEq)]
enum Version {
    /// 1999: no lunar festival but the Spring Festival (初一–初三); 1–3 May.
    V1999,
    /// 2007: 除夕, 初一, 初二; 清明, 端午, 中秋; 1 May.
    V2007,
    /// 2013: 初一–初三; otherwise as 2007.
    V2013,
    /// 2024: 除夕, 初一–初三; 1–2 May.
    V2024,
}

fn version(year: i32) -> Version {
    match year {
        ..=2007 => Version::V1999,
        2008..=2013 => Version::V2007,
        2014..=2024 => Version::V2013,
        _ => Version::V2024,
    }
}

/// Every statutory holiday of a year, in date order, each day once; empty outside
/// [`FIRST_YEAR`]`..=`[`LAST_YEAR`]. Thirteen days a year from 2025, twelve when the
/// Mid-Autumn Festival falls on 1–3 October (the State Council's arrangement then usually
/// gives a day more, which only its notice can say).
pub fn holidays(year: i32) -> Vec<(Date, Holiday)> {
    let Some((new_year, dragon, autumn)) = lunar(year) else { return Vec::new() };
    let v = version(year);
    let on = |(m, d): (u8, u8)| Date::new(year, u32::from(m), u32::from(d));
    let mut out: Vec<(Date, Holiday)> = Vec::new();
    let mut add = |d: Option<Date>, h: Holiday| {
        if let Some(d) = d.filter(|d| !out.iter().any(|(x, _)| x == d)) {
            out.push((d, h));
        }
    };
    add(on((1, 1)), Holiday::NewYear);
    if let Some(first) = on(new_year) {
        let (from, to) = match v {
            Version::V1999 | Version::V2013 => (0, 2),
            Version::V2007 => (-1, 1),
            Version::V2024 => (-1, 2),
        };
        for k in from..=to {
            add(Some(first.add_days(k)), Holiday::SpringFestival);
        }
    }
    // 国庆节 before 中秋节: when the Mid-Autumn Festival falls on 1–3 October (2020, 2028)
    // the day is listed once, as National Day, as [`holiday_on`] names it.
    for day in 1..=3 {
        add(Date::new(year, 10, day), Holiday::NationalDay);
    }
    if v != Version::V1999 {
        add(Date::new(year, 4, qingming_day(year)), Holiday::Qingming);
        add(on(dragon), Holiday::DragonBoat);
        add(on(autumn), Holiday::MidAutumn);
    }
    let may = match v {
        Version::V1999 => 3,
        Version::V2007 | Version::V2013 => 1,
        Version::V2024 => 2,
    };
    for day in 1..=may {
        add(Date::new(year, 5, day), Holiday::LabourDay);
    }
    out.sort_by_key(|(d, _)| *d);
    out
}

/// The statutory holiday falling on `d`, if any (always `None` outside
/// [`FIRST_YEAR`]`..=`[`LAST_YEAR`]). Cheap: a working-day count asks it for every day it
/// walks outside a calendar's years.
pub fn holiday_on(d: Date) -> Option<Holiday> {
    let year = d.year();
    let (new_year, dragon, autumn) = lunar(year)?;
    let v = version(year);
    let md = (u8::try_from(d.month()).ok()?, u8::try_from(d.day()).ok()?);
    match md {
        (1, 1) => return Some(Holiday::NewYear),
        (10, 1..=3) => return Some(Holiday::NationalDay),
        (5, day)
            if day
                <= (match v {
                    Version::V1999 => 3,
                    Version::V2007 | Version::V2013 => 1,
                    Version::V2024 => 2,
                }) =>
        {
            return Some(Holiday::LabourDay);
        }
        _ => {}
    }
    if v != Version::V1999 {
        if md == dragon {
            return Some(Holiday::DragonBoat);
        }
        if md == autumn {
            return Some(Holiday::MidAutumn);
        }
        if d.month() == 4 && d.day() == qingming_day(year) {
            return Some(Holiday::Qingming);
        }
    }
    // The Spring Festival lies between 20 January and 22 February.
    if matches!(md.0, 1 | 2) {
        let first = Date::new(year, u32::from(new_year.0), u32::from(new_year.1))?;
        let (from, to) = match v {
            Version::V1999 | Version::V2013 => (0, 2),
            Version::V2007 => (-1, 1),
            Version::V2024 => (-1, 2),
        };
        if (from..=to).contains(&first.days_until(d)) {
            return Some(Holiday::SpringFestival);
        }
    }
    None
}

/// Are the statutory holidays of this year computed?
pub fn computes(year: i32) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// The lunar festivals and 清明 as the State Council's notices of 2012–2026 give them
    /// (each notice names the day the holiday is on), and 2027–2028 as computed in the
    /// module docs: (year, 正月初一, 清明, 端午, 中秋).
    const KNOWN: [(i32, &str, &str, &str, &str); 17] = [
        (2012, "01-23", "04-04", "06-23", "09-30"),
        (2013, "02-10", "04-04", "06-12", "09-19"),
        (2014, "01-31", "04-05", "06-02", "09-08"),
        (2015, "02-19", "04-05", "06-20", "09-27"),
        (2016, "02-08", "04-04", "06-09", "09-15"),
        (2017, "01-28", "04-04", "05-30", "10-04"),
        (2018, "02-16", "04-05", "06-18", "09-24"),
        (2019, "02-05", "04-05", "06-07", "09-13"),
        (2020, "01-25", "04-04", "06-25", "10-01"),
        (2021, "02-12", "04-04", "06-14", "09-21"),
        (2022, "02-01", "04-05", "06-03", "09-10"),
        (2023, "01-22", "04-05", "06-22", "09-29"),
        (2024, "02-10", "04-04", "06-10", "09-17"),
        (2025, "01-29", "04-04", "05-31", "10-06"),
        (2026, "02-17", "04-05", "06-19", "09-25"),
        (2027, "02-06", "04-05", "06-09", "09-15"),
        (2028, "01-26", "04-04", "05-28", "10-03"),
    ];

    #[test]
    fn the_lunar_festivals_fall_where_the_notices_say() {
        for (year, spring, qingming, dragon, autumn) in KNOWN {
            let at = |md: &str| d(&format!("{year}-{md}"));
            let first = at(spring);
            assert_eq!(holiday_on(first), Some(Holiday::SpringFestival), "{year}");
            assert_eq!(holiday_on(at(qingming)), Some(Holiday::Qingming), "{year}");
            assert_eq!(holiday_on(at(dragon)), Some(Holiday::DragonBoat), "{year}");
            let expected = if autumn.starts_with("10-0") && autumn <= "10-03" {
                Holiday::NationalDay // 2020, 2028: the day is both
            } else {
                Holiday::MidAutumn
            };
            assert_eq!(holiday_on(at(autumn)), Some(expected), "{year}");
            let all = holidays(year);
            let spring_days: Vec<Date> =
                all.iter().filter(|(_, h)| *h == Holiday::SpringFestival).map(|(d, _)| *d).collect();
            let expected: Vec<Date> = match year {
                ..=2013 => vec![first.add_days(-1), first, first.add_days(1)],
                2014..=2024 => vec![first, first.add_days(1), first.add_days(2)],
                _ => vec![first.add_days(-1), first, first.add_days(1), first.add_days(2)],
            };
            assert_eq!(spring_days, expected, "{year}");
        }
    }

    #[test]
    fn the_2024_version_gives_thirteen_days_and_the_2013_version_eleven() {
        // 中秋 on 1–3 October: 2001, 2009, 2020, 2028, 2031, 2039, 2058, 2066, 2077, 2085
        // (from the table).
        let overlap = |year: i32| {
            let (_, _, autumn) = lunar(year).unwrap();
            matches!(autumn, (10, 1..=3))
        };
        assert!(overlap(2020) && overlap(2028) && !overlap(2027));
        for year in 2025..=2099 {
            assert_eq!(holidays(year).len(), 13 - usize::from(overlap(year)), "{year}");
        }
        for year in 2008..=2024 {
            assert_eq!(holidays(year).len(), 11 - usize::from(overlap(year)), "{year}");
        }
        for year in 2000..=2007 {
            assert_eq!(holidays(year).len(), 10, "{year}");
        }
        assert!(holidays(1999).is_empty());
        assert!(holidays(2100).is_empty());
        assert!(holidays(i32::MIN).is_empty());
        assert!(holidays(i32::MAX).is_empty());
    }

    #[test]
    fn every_day_of_every_year_agrees_with_the_list() {
        for year in FIRST_YEAR - 1..=LAST_YEAR + 1 {
            let list = holidays(year);
            let mut day = Date::new(year, 1, 1).unwrap();
            while day.year() == year {
                let listed = list.iter().find(|(x, _)| *x == day).map(|(_, h)| *h);
                assert_eq!(holiday_on(day), listed, "{day}");
                day = day.add_days(1);
            }
        }
    }

    #[test]
    fn the_2024_amendment_in_2027() {
        let days: Vec<String> = holidays(2027).iter().map(|(d, _)| d.to_string()).collect();
        assert_eq!(
            days,
            [
                "2027-01-01",
                "2027-02-05",
                "2027-02-06",
                "2027-02-07",
                "2027-02-08",
                "2027-04-05",
                "2027-05-01",
                "2027-05-02",
                "2027-06-09",
                "2027-09-15",
                "2027-10-01",
                "2027-10-02",
                "2027-10-03"
            ]
        );
        assert_eq!(Holiday::SpringFestival.title().zh, "春节");
    }

    #[test]
    fn qingming_is_the_fourth_or_fifth_of_april() {
        for year in FIRST_YEAR..=LAST_YEAR {
            assert!(matches!(qingming_day(year), 4 | 5), "{year}");
        }
        assert_eq!(qingming_day(2000), 4);
        assert_eq!(qingming_day(2026), 5);
    }
}
