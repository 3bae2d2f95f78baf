//! Rounding to decimal places as a tax office or a pension fund does (四舍五入): half away
//! from zero, on the number as it is meant in decimal.
//!
//! Binary floating point holds few decimal fractions exactly: `2.675` is stored as
//! 2.67499999999999982236431605997495353221893310546875, and `33.5 * 0.15` computes
//! 5.0249999999999995. Rounding those naively to the fen (`(x * 100.0).round() / 100.0`)
//! gives 2.67 and 5.02 where every official writes 2.68 and 5.03 — one fen off on exactly
//! the amounts that end in a half. [`round_to`] treats a scaled value lying within a few
//! dozen units in the last place of a half (a width no decimal amount a rule computes
//! from a handful of operations on typed amounts reaches by chance) as that half, then rounds
//! half away from zero.
//!
//! ```
//! use onething::rounding::round_to;
//!
//! assert_eq!(round_to(2.675, 2), Ok(2.68));
//! assert_eq!(round_to(33.5 * 0.15, 2), Ok(5.03));
//! assert_eq!(round_to(-2.675, 2), Ok(-2.68));
//! assert_eq!(round_to(17.254999, 2), Ok(17.25));
//! assert!(round_to(f64::NAN, 2).is_err());
//! ```

/// The most decimal places [`round_to`] rounds to.
pub const MAX_PLACES: i64 = 12;

/// `x` rounded to `places` decimal places (0 to [`MAX_PLACES`]), half away from zero, a
/// value within float noise of a half counting as that half. Errors name what is wrong: a
/// number that is not finite, or places out of range. A value too large to have a
/// fraction at that scale (|x × 10^places| ≥ 2^52) is returned as it is.
pub fn round_to(x: f64, places: i64) -> Result<f64, String> {
    if !x.is_finite() {
        return Err(format!("cannot round {x}: not a finite number"));
    }
    let Some(exponent) = u8::try_from(places).ok().filter(|p| i64::from(*p) <= MAX_PLACES) else {
        return Err(format!("cannot round to {places} decimal places: from 0 to {MAX_PLACES}"));
    };
    let scale = 10f64.powi(i32::from(exponent));
    let scaled = x * scale;
    // Beyond 2^52 a float has no fractional part to round.
    if scaled.abs() >= 4_503_599_627_370_496.0 {
        return Ok(x);
    }
    let half = (scaled * 2.0).round() / 2.0;
    // A few operations on decimal inputs leave an error of a few units in the last place
    // (ULP); 64 ULPs of slack is far more than that and far less than any decimal digit an
    // amount is given with.
    let noise = scaled.abs() * 64.0 * f64::EPSILON;
    let snapped = if (scaled - half).abs() <= noise { half } else { scaled };
    Ok(snapped.round() / scale)
}

#[cfg(test)]
mod tests {
    use super::round_to;

    #[test]
    fn halves_written_in_decimal_round_away_from_zero() {
        for (x, want) in [
            (2.675, 2.68),
            (1.005, 1.01),
            (0.125, 0.13),
            (1.115, 1.12),
            (4.35 * 100.0 / 100.0, 4.35),
            (1_234_567.895, 1_234_567.9),
            (-0.125, -0.13),
            (0.0, 0.0),
        ] {
            assert_eq!(round_to(x, 2), Ok(want), "{x}");
        }
        // Products of amounts, rates and shares, as the rules compute them.
        assert_eq!(round_to(33.5 * 0.15, 2), Ok(5.03));
        assert_eq!(round_to(1_050_000.0 * 50.0 * 1.0 / 10000.0, 2), Ok(5250.0));
        assert_eq!(round_to(3100.0 * 2.0 * 17.25 / 100.0 * 100.0, 0), Ok(106_950.0));
    }

    #[test]
    fn values_short_of_a_half_round_down() {
        assert_eq!(round_to(2.674_999, 2), Ok(2.67));
        assert_eq!(round_to(17.254_999, 2), Ok(17.25));
        assert_eq!(round_to(0.004_9, 2), Ok(0.0));
        assert_eq!(round_to(2.5, 0), Ok(3.0));
        assert_eq!(round_to(17.254_999, 4), Ok(17.255));
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(round_to(f64::INFINITY, 2).unwrap_err().contains("not a finite number"));
        assert!(round_to(1.0, -1).unwrap_err().contains("from 0 to 12"));
        assert!(round_to(1.0, 13).is_err());
        // Too large to have fen: returned as it is.
        assert_eq!(round_to(1e300, 2), Ok(1e300));
    }
}
