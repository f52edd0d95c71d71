//! The average true range behind the automatic Renko and Point & Figure box sizes.
//!
//! The original computed it with polars: the true range of row 0 is `high - low` (its
//! previous-close terms are missing and ignored), and the smoothing is an exponentially
//! weighted mean with `alpha = 1/period`, seeded with that first true range and updated in the
//! form `mean += (tr - mean) * (alpha / ((1 - alpha) + alpha))`. That form and the textbook
//! `(1 - alpha) * mean + alpha * tr` differ in the last bit, which can move a box size and so a
//! whole chart, so it is kept exactly.

use super::PriceRows;
use crate::errors::{Error, Result};

/// Period of the ATR used for automatic box sizes.
pub const ATR_PERIOD: usize = 14;

/// The ATR of every row: no warm-up, the first value is row 0's true range.
///
/// Fails when there are fewer than `period` rows, as the original did.
pub fn average_true_range(rows: &PriceRows<'_>, period: usize) -> Result<Vec<f64>> {
    let count = rows.len();
    if count < period.max(1) {
        return Err(Error::invalid(format!(
            "The {period}-row average true range needs at least {period} rows, got {count}."
        )));
    }

    // polars turns span 2*period-1 into alpha = 2/(span+1).
    let alpha = 2.0 / ((2 * period - 1) as f64 + 1.0);
    let gain = alpha / ((1.0 - alpha) + alpha);
    let mut averages = Vec::with_capacity(count);
    let mut mean = 0.0;
    for index in 0..count {
        let range = true_range(rows, index);
        mean = if index == 0 {
            range
        } else {
            mean + (range - mean) * gain
        };
        averages.push(mean);
    }
    Ok(averages)
}

/// `max(high - low, |high - previous close|, |low - previous close|)`, ignoring NaN terms the
/// way polars' `max_horizontal` ignores nulls (`f64::max` returns the other operand).
fn true_range(rows: &PriceRows<'_>, index: usize) -> f64 {
    let (high, low) = (rows.high.get(index), rows.low.get(index));
    let spread = high - low;
    if index == 0 {
        return spread;
    }
    let previous_close = rows.close.get(index - 1);
    spread
        .max((high - previous_close).abs())
        .max((low - previous_close).abs())
}

/// The median as numpy computes it: the middle value, or the mean `(a + b) / 2` of the two
/// middle values. NaN when `values` is empty or holds a NaN. Reorders `values`.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() || values.iter().any(|value| value.is_nan()) {
        return f64::NAN;
    }
    let count = values.len();
    let middle = count / 2;
    let (lower, upper, _) = values.select_nth_unstable_by(middle, f64::total_cmp);
    let upper = *upper;
    if count % 2 == 1 {
        return upper;
    }
    let below = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (below + upper) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Column;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&mut []).is_nan());
        assert!(median(&mut [1.0, f64::NAN]).is_nan());
    }

    #[test]
    fn first_true_range_is_the_spread_and_later_ones_use_the_previous_close() {
        let high = [10.0, 12.0];
        let low = [8.0, 11.0];
        let close = [9.0, 11.5];
        let (high, low, close) = (
            Column::from_slice(&high),
            Column::from_slice(&low),
            Column::from_slice(&close),
        );
        let rows = PriceRows::new(&high, &low, &close).unwrap();
        assert_eq!(true_range(&rows, 0), 2.0);
        // |12 - 9| beats the spread of 1.
        assert_eq!(true_range(&rows, 1), 3.0);
    }

    #[test]
    fn smoothing_uses_the_polars_update_form() {
        let high: Vec<f64> = (0..20)
            .map(|i| 100.0 + (i as f64 * 0.37).sin() * 3.0)
            .collect();
        let low: Vec<f64> = high.iter().map(|h| h - 1.3).collect();
        let close: Vec<f64> = high.iter().map(|h| h - 0.4).collect();
        let (h, l, c) = (
            Column::from_slice(&high),
            Column::from_slice(&low),
            Column::from_slice(&close),
        );
        let rows = PriceRows::new(&h, &l, &c).unwrap();
        let averages = average_true_range(&rows, 14).unwrap();

        let alpha = 1.0 / 14.0;
        let mut mean = true_range(&rows, 0);
        assert_eq!(averages[0], mean);
        for (index, average) in averages.iter().enumerate().skip(1) {
            mean += (true_range(&rows, index) - mean) * (alpha / ((1.0 - alpha) + alpha));
            assert_eq!(*average, mean);
        }
    }

    #[test]
    fn too_few_rows_is_an_error() {
        let five = [1.0; 5];
        let column = Column::from_slice(&five);
        let rows = PriceRows::new(&column, &column, &column).unwrap();
        let message = average_true_range(&rows, 14).unwrap_err().to_string();
        assert!(message.contains("at least 14 rows, got 5"), "{message}");
    }
}
