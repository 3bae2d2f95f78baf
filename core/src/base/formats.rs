//! Chinese identifiers that forms carry: resident ID numbers, unified social credit codes,
//! mobile numbers and postal codes.
//!
//! Each check is available two ways: a `check_*` function that says *why* a value is wrong
//! (used for bilingual error messages and by rule scripts), and a registration of the JSON
//! Schema formats `cn-id-number`, `cn-credit-code`, `cn-mobile` and `cn-postal-code` in the
//! validator options (see [`crate::schema::validator_options`]).
//!
//! ```
//! use onething::formats::{check_id_number, check_credit_code, Gender};
//!
//! let id = check_id_number("11010519491231002X").unwrap();
//! assert_eq!(id.gender, Gender::Female);
//! assert_eq!(id.birth_date.to_string(), "1949-12-31");
//! assert!(check_credit_code("91350100M000100Y43").is_ok());
//! assert!(check_id_number("110105194912310021").is_err()); // wrong check digit
//! ```

use crate::base::date::Date;
use crate::base::text::Text;

/// The format names this crate adds to JSON Schema.
pub const FORMAT_NAMES: [&str; 4] = ["cn-id-number", "cn-credit-code", "cn-mobile", "cn-postal-code"];

/// Gender as encoded by the 17th digit of a resident ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    /// Odd 17th digit.
    Male,
    /// Even 17th digit.
    Female,
}

/// What a valid resident ID number tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdNumber {
    /// The six-digit administrative area code of the place of first registration.
    pub area_code: u32,
    /// Date of birth.
    pub birth_date: Date,
    /// Gender.
    pub gender: Gender,
}

/// Why an identifier is invalid. Each reason has a bilingual explanation ([`Invalid::text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Invalid {
    /// Not the expected number of characters.
    #[error("must have {expected} characters")]
    Length {
        /// The expected number of characters.
        expected: usize,
    },
    /// A character outside the allowed alphabet.
    #[error("contains a character that is not allowed")]
    Character,
    /// ID number: the check character is a lower-case `x`.
    #[error("the check character must be an upper-case X")]
    LowercaseX,
    /// ID number: the first two digits are not a province-level area.
    #[error("does not start with a valid area code")]
    AreaCode,
    /// ID number: the birth date digits are not a calendar date.
    #[error("the birth date is not a calendar date")]
    BirthDate,
    /// The check character does not match the other characters.
    #[error("check digit is wrong")]
    CheckDigit,
    /// Mobile number: not a mainland mobile prefix (`13`–`19`).
    #[error("is not a mainland China mobile number")]
    MobilePrefix,
}

impl Invalid {
    /// The reason in both languages, to follow a field title ("身份证号码校验位不正确").
    pub fn text(self) -> Text {
        match self {
            Invalid::Length { expected } => {
                Text::new(format!("应为{expected}位"), format!("must have {expected} characters"))
            }
            Invalid::Character => Text::new("含有不允许的字符", "contains a character that is not allowed"),
            Invalid::LowercaseX => {
                Text::new("校验码应为大写字母X", "the check character must be an upper-case X")
            }
            Invalid::AreaCode => Text::new("地区码不正确", "does not start with a valid area code"),
            Invalid::BirthDate => Text::new("出生日期不正确", "the birth date is not a calendar date"),
            Invalid::CheckDigit => Text::new("校验位不正确", "check digit is wrong"),
            Invalid::MobilePrefix => Text::new("不是有效的手机号码", "is not a mainland China mobile number"),
        }
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: [u8; 11] = *b"10X98765432";
/// Province-level area codes (first two digits): the 31 mainland provinces, Taiwan (71),
/// Hong Kong (81), Macao (82) and residence permits for Taiwan residents (83).
const PROVINCES: [u32; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
    61, 62, 63, 64, 65, 71, 81, 82, 83,
];

/// Checks a resident ID number (GB 11643-1999) and reads its area, birth date and gender.
pub fn check_id_number(s: &str) -> Result<IdNumber, Invalid> {
    let bytes = s.as_bytes();
    if s.chars().count() != 18 || bytes.len() != 18 {
        return Err(Invalid::Length { expected: 18 });
    }
    let (body, last) = bytes.split_at(17);
    let last = last.first().copied().unwrap_or(0);
    if !body.iter().all(u8::is_ascii_digit) || !(last.is_ascii_digit() || last == b'X' || last == b'x') {
        return Err(Invalid::Character);
    }
    let digit = |i: usize| body.get(i).map_or(0, |b| u32::from(b - b'0'));
    let number = |from: usize, to: usize| (from..to).fold(0, |acc, i| acc * 10 + digit(i));
    if !PROVINCES.contains(&number(0, 2)) {
        return Err(Invalid::AreaCode);
    }
    let birth = i32::try_from(number(6, 10))
        .ok()
        .and_then(|y| Date::new(y, number(10, 12), number(12, 14)))
        .filter(|d| d.year() >= 1900)
        .ok_or(Invalid::BirthDate)?;
    let sum: u32 = (0..17).map(|i| digit(i) * ID_WEIGHTS.get(i).copied().unwrap_or(0)).sum();
    let expected = ID_CHECK.get((sum % 11) as usize).copied().unwrap_or(b'?');
    if last == b'x' {
        return Err(if expected == b'X' { Invalid::LowercaseX } else { Invalid::CheckDigit });
    }
    if last != expected {
        return Err(Invalid::CheckDigit);
    }
    let gender = if digit(16) % 2 == 1 { Gender::Male } else { Gender::Female };
    Ok(IdNumber { area_code: number(0, 6), birth_date: birth, gender })
}

const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Checks a unified social credit code (GB 32100-2015).
pub fn check_credit_code(s: &str) -> Result<(), Invalid> {
    if s.chars().count() != 18 || s.len() != 18 {
        return Err(Invalid::Length { expected: 18 });
    }
    let values: Vec<u32> = s
        .bytes()
        .map(|b| CREDIT_ALPHABET.iter().position(|&c| c == b).map(|v| v as u32))
        .collect::<Option<_>>()
        .ok_or(Invalid::Character)?;
    let (body, last) = values.split_at(17);
    if !s.as_bytes().get(2..8).is_some_and(|area| area.iter().all(u8::is_ascii_digit)) {
        return Err(Invalid::Character);
    }
    let sum: u32 = body.iter().zip(CREDIT_WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    if last.first() != Some(&check) {
        return Err(Invalid::CheckDigit);
    }
    Ok(())
}

/// Checks a mainland China mobile number: 11 digits starting with `13`–`19`.
pub fn check_mobile(s: &str) -> Result<(), Invalid> {
    if s.len() != 11 || s.chars().count() != 11 {
        return Err(Invalid::Length { expected: 11 });
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid::Character);
    }
    match s.as_bytes() {
        [b'1', b'3'..=b'9', ..] => Ok(()),
        _ => Err(Invalid::MobilePrefix),
    }
}

/// Checks a mainland China postal code: six digits.
pub fn check_postal_code(s: &str) -> Result<(), Invalid> {
    if s.len() != 6 || s.chars().count() != 6 {
        return Err(Invalid::Length { expected: 6 });
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid::Character);
    }
    Ok(())
}

/// Why `value` fails the named format, or `None` when it passes or the format is not ours.
pub fn explain(format: &str, value: &str) -> Option<Invalid> {
    match format {
        "cn-id-number" => check_id_number(value).err(),
        "cn-credit-code" => check_credit_code(value).err(),
        "cn-mobile" => check_mobile(value).err(),
        "cn-postal-code" => check_postal_code(value).err(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_id_example_from_the_standard() {
        let id = check_id_number("11010519491231002X").unwrap();
        assert_eq!(id.area_code, 110105);
        assert_eq!(id.birth_date, Date::new(1949, 12, 31).unwrap());
        assert_eq!(id.gender, Gender::Female);
    }

    #[test]
    fn id_numbers_that_fail_say_why() {
        assert_eq!(check_id_number("110105194912310021"), Err(Invalid::CheckDigit));
        assert_eq!(check_id_number("11010519491231002x"), Err(Invalid::LowercaseX));
        assert_eq!(check_id_number("11010519490230002X"), Err(Invalid::BirthDate));
        assert_eq!(check_id_number("1101051949123100"), Err(Invalid::Length { expected: 18 }));
        assert_eq!(check_id_number("11010519491231002XX"), Err(Invalid::Length { expected: 18 }));
        assert_eq!(check_id_number("99010519491231002X"), Err(Invalid::AreaCode));
        assert_eq!(check_id_number("1101051949123100A2"), Err(Invalid::Character));
        assert_eq!(check_id_number("１１０１０５１９４９"), Err(Invalid::Length { expected: 18 }));
    }

    #[test]
    fn male_id_number() {
        // Same body with an odd 17th digit: 110105194912310011 + check digit.
        let body = "11010519491231001";
        let sum: u32 = body.bytes().zip(ID_WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
        let check = char::from(ID_CHECK[(sum % 11) as usize]);
        let id = check_id_number(&format!("{body}{check}")).unwrap();
        assert_eq!(id.gender, Gender::Male);
    }

    #[test]
    fn worked_credit_code_example() {
        assert_eq!(check_credit_code("91350100M000100Y43"), Ok(()));
        assert_eq!(check_credit_code("91350100M000100Y42"), Err(Invalid::CheckDigit));
        assert_eq!(check_credit_code("91350100M000100Y4"), Err(Invalid::Length { expected: 18 }));
        assert_eq!(check_credit_code("91350100M000100I43"), Err(Invalid::Character));
        assert_eq!(check_credit_code("91350100m000100Y43"), Err(Invalid::Character));
    }

    #[test]
    fn mobiles_and_postal_codes() {
        assert_eq!(check_mobile("13800138000"), Ok(()));
        assert_eq!(check_mobile("12800138000"), Err(Invalid::MobilePrefix));
        assert_eq!(check_mobile("1380013800"), Err(Invalid::Length { expected: 11 }));
        assert_eq!(check_postal_code("157000"), Ok(()));
        assert_eq!(check_postal_code("15700a"), Err(Invalid::Character));
    }
}
