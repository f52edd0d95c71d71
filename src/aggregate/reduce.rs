//! One-column reductions: total volume, volume-weighted price, rolling sums and means, and
//! cumulative sums. Each reads its columns in place and allocates only its output.

use crate::errors::{Error, Result};
use crate::input::{check_same_length, Column};

/// A running sum with Neumaier's compensation, so long columns do not drift.
#[derive(Debug, Default, Clone, Copy)]
struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    #[inline]
    fn add(&mut self, value: f64) {
        let total = self.sum + value;
        if self.sum.abs() >= value.abs() {
            self.compensation += (self.sum - total) + value;
        } else {
            self.compensation += (value - total) + self.sum;
        }
        self.sum = total;
    }

    #[inline]
    fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// The first value of `column` that is not a finite, non-negative volume.
fn check_volume(name: &str, column: &Column<'_>) -> Result<()> {
    let mut first_bad = None;
    column.for_each(|row, value| {
        if first_bad.is_none() && !(value.is_finite() && value >= 0.0) {
            first_bad = Some((row, value));
        }
    });
    match first_bad {
        Some((row, value)) => Err(Error::data(format!(
            "{name} has the value {value} at row {row}; volumes must be finite and not negative."
        ))),
        None => Ok(()),
    }
}

/// Total of `volume` (0 for an empty column); every value must be finite and not negative.
pub fn volume_sum(volume: &Column<'_>) -> Result<f64> {
    check_volume("volume", volume)?;
    let mut total = CompensatedSum::default();
    volume.for_each(|_, value| total.add(value));
    Ok(total.value())
}

/// `sum(price * volume) / sum(volume)`: NaN when the volume sums to zero (the average of no
/// trading is undefined). Prices must be finite, volumes finite and not negative.
pub fn volume_weighted_price<'a>(prices: &Column<'a>, volume: &Column<'a>) -> Result<f64> {
    let count = check_same_length(&[("prices", prices), ("volume", volume)])?;
    check_volume("volume", volume)?;
    let mut weighted = CompensatedSum::default();
    let mut total = CompensatedSum::default();
    let mut first_bad_price = None;
    // One indexed pass; prices and volume may have different dtypes.
    for row in 0..count {
        let (price, size) = (prices.get(row), volume.get(row));
        if !price.is_finite() {
            first_bad_price.get_or_insert((row, price));
        }
        weighted.add(price * size);
        total.add(size);
    }
    if let Some((row, price)) = first_bad_price {
        return Err(Error::data(format!(
            "prices has the value {price} at row {row}; prices must be finite numbers."
        )));
    }
    let total = total.value();
    Ok(if total == 0.0 {
        f64::NAN
    } else {
        weighted.value() / total
    })
}

fn check_window(window: i64) -> Result<usize> {
    usize::try_from(window)
        .ok()
        .filter(|&window| window > 0)
        .ok_or_else(|| {
            Error::invalid(format!(
                "window must be a positive whole number, got {window}."
            ))
        })
}

/// Sum of the last `window` values at each row: NaN for the first `window - 1` rows and
/// wherever the window holds a NaN (polars' `rolling_sum` with full windows only).
pub fn rolling_sum(values: &Column<'_>, window: i64) -> Result<Vec<f64>> {
    let window = check_window(window)?;
    let count = values.len();
    let mut output = Vec::with_capacity(count);
    let mut sum = CompensatedSum::default();
    let mut nans_in_window = 0usize;
    for row in 0..count {
        let entering = values.get(row);
        if entering.is_nan() {
            nans_in_window += 1;
        } else {
            sum.add(entering);
        }
        if row >= window {
            let leaving = values.get(row - window);
            if leaving.is_nan() {
                nans_in_window -= 1;
            } else {
                sum.add(-leaving);
            }
        }
        let full = row + 1 >= window;
        output.push(if full && nans_in_window == 0 {
            sum.value()
        } else {
            f64::NAN
        });
    }
    Ok(output)
}

/// Mean of the last `window` values at each row, with [`rolling_sum`]'s NaN rules.
pub fn rolling_mean(values: &Column<'_>, window: i64) -> Result<Vec<f64>> {
    let divisor = check_window(window)? as f64;
    let mut sums = rolling_sum(values, window)?;
    for sum in &mut sums {
        *sum /= divisor;
    }
    Ok(sums)
}

/// Running total of a float column (NaN propagates, as in numpy).
pub fn cumulative_sum_float(values: &Column<'_>) -> Vec<f64> {
    let mut output = Vec::with_capacity(values.len());
    let mut total = 0.0f64;
    values.for_each(|_, value| {
        total += value;
        output.push(total);
    });
    output
}

/// Running total of an integer column in `i64`; an overflow is an error (numpy would wrap
/// around silently).
pub fn cumulative_sum_integer(values: &Column<'_>) -> Result<Vec<i64>> {
    let mut output = Vec::with_capacity(values.len());
    let mut total = 0i64;
    let mut overflow = None;
    // Integers up to 2^63 are exact through `get`'s f64 only up to 2^53, so read each dtype
    // as an integer.
    macro_rules! accumulate {
        ($view:expr) => {
            for (row, &value) in $view.iter().enumerate() {
                match i64::try_from(value)
                    .ok()
                    .and_then(|value| total.checked_add(value))
                {
                    Some(next) => total = next,
                    None => {
                        overflow = Some(row);
                        break;
                    }
                }
                output.push(total);
            }
        };
    }
    match values {
        Column::I64(view) => accumulate!(view),
        Column::I32(view) => accumulate!(view),
        Column::I16(view) => accumulate!(view),
        Column::I8(view) => accumulate!(view),
        Column::U64(view) => accumulate!(view),
        Column::U32(view) => accumulate!(view),
        Column::U16(view) => accumulate!(view),
        Column::U8(view) => accumulate!(view),
        Column::F64(_) | Column::F32(_) => {
            return Err(Error::wrong_type(
                "cumulative_sum_integer needs an integer column.",
            ))
        }
    }
    match overflow {
        Some(row) => Err(Error::invalid(format!(
            "The cumulative sum overflows a 64-bit integer at row {row}; convert the data to \
             float first."
        ))),
        None => Ok(output),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use numpy::ndarray::ArrayView1;

    fn column(values: &[f64]) -> Column<'_> {
        Column::from_slice(values)
    }

    #[test]
    fn volume_sum_is_exact_for_small_increments() {
        let values = vec![0.1; 1_000_000];
        assert_eq!(volume_sum(&column(&values)).unwrap(), 100_000.0);
        assert_eq!(volume_sum(&column(&[])).unwrap(), 0.0);
        let error = volume_sum(&column(&[1.0, -2.0])).unwrap_err();
        assert!(error.to_string().contains("value -2 at row 1"));
        assert!(volume_sum(&column(&[f64::NAN])).is_err());
    }

    #[test]
    fn volume_weighted_price_weighs_by_volume() {
        let prices = [10.0, 20.0, 40.0];
        let volume = [1.0, 2.0, 1.0];
        let average = volume_weighted_price(&column(&prices), &column(&volume)).unwrap();
        assert_eq!(average, 22.5);
        assert!(volume_weighted_price(&column(&prices), &column(&[0.0; 3]))
            .unwrap()
            .is_nan());
        let error = volume_weighted_price(&column(&prices), &column(&[1.0])).unwrap_err();
        assert_eq!(error.to_string(), "volume has 1 values but prices has 3.");
        assert!(volume_weighted_price(&column(&[f64::NAN]), &column(&[1.0])).is_err());
    }

    #[test]
    fn rolling_windows_have_a_nan_warm_up_and_propagate_nan() {
        let values = [1.0, 2.0, 3.0, f64::NAN, 5.0, 6.0, 7.0];
        let sums = rolling_sum(&column(&values), 2).unwrap();
        let expected = [f64::NAN, 3.0, 5.0, f64::NAN, f64::NAN, 11.0, 13.0];
        for (got, want) in sums.iter().zip(expected) {
            assert!(got == &want || (got.is_nan() && want.is_nan()), "{sums:?}");
        }
        let means = rolling_mean(&column(&values[..3]), 3).unwrap();
        assert!(means[1].is_nan());
        assert_eq!(means[2], 2.0);
        assert!(rolling_sum(&column(&values), 0).is_err());
        assert!(rolling_sum(&column(&values), 99)
            .unwrap()
            .iter()
            .all(|v| v.is_nan()));
    }

    #[test]
    fn cumulative_sums_keep_integers_exact_and_refuse_overflow() {
        let floats = cumulative_sum_float(&column(&[1.5, 2.0, f64::NAN, 1.0]));
        assert_eq!(&floats[..2], &[1.5, 3.5]);
        assert!(floats[3].is_nan());

        let big = [i64::MAX - 1, 1];
        let exact = cumulative_sum_integer(&Column::I64(ArrayView1::from(&big))).unwrap();
        assert_eq!(exact, [i64::MAX - 1, i64::MAX]);
        let over = [i64::MAX, 1];
        let error = cumulative_sum_integer(&Column::I64(ArrayView1::from(&over))).unwrap_err();
        assert!(error.to_string().contains("row 1"));
        let unsigned = [u64::MAX];
        assert!(cumulative_sum_integer(&Column::U64(ArrayView1::from(&unsigned))).is_err());
    }
}
