//! Simple and exponential moving averages with pandas' conventions, so that mplfinance draws
//! the same lines whether it computes them or we do.

use crate::errors::{Error, Result};
use crate::input::Column;

/// Checks a window or span argument.
fn check_window(name: &str, window: usize) -> Result<usize> {
    if window == 0 {
        return Err(Error::invalid(format!("{name} must be at least 1, got 0.")));
    }
    Ok(window)
}

/// Mean of the last `window` values at each row, NaN until `window` values have been seen and
/// wherever the window holds a NaN (pandas' `rolling(window).mean()`).
///
/// The running sum is compensated (Kahan) so long series do not drift; results agree with
/// pandas to within a few units in the last place.
pub fn sma(values: &Column<'_>, window: usize) -> Result<Vec<f64>> {
    let window = check_window("window", window)?;
    let count = values.len();
    let mut output = Vec::with_capacity(count);
    let (mut sum, mut compensation) = (0.0f64, 0.0f64);
    let mut nans_in_window = 0usize;

    let add = |value: f64, sum: &mut f64, compensation: &mut f64| {
        let adjusted = value - *compensation;
        let total = *sum + adjusted;
        *compensation = (total - *sum) - adjusted;
        *sum = total;
    };
    for index in 0..count {
        let value = values.get(index);
        if value.is_nan() {
            nans_in_window += 1;
        } else {
            add(value, &mut sum, &mut compensation);
        }
        if index >= window {
            let leaving = values.get(index - window);
            if leaving.is_nan() {
                nans_in_window -= 1;
            } else {
                add(-leaving, &mut sum, &mut compensation);
            }
        }
        let full = index + 1 >= window;
        output.push(if full && nans_in_window == 0 {
            sum / window as f64
        } else {
            f64::NAN
        });
    }
    Ok(output)
}

/// Exponential moving average with `alpha = 2 / (span + 1)`, not adjusted, seeded with the
/// first value: bit for bit pandas' `ewm(span=span, adjust=False).mean()` on data without gaps.
///
/// NaN rows give NaN before the first number and repeat the previous average after it; the
/// previous average's weight keeps decaying by `1 - alpha` per NaN row, so the next number
/// counts for more after a gap. (pandas 3 agrees on gaps for every span we checked except
/// span 3, where it weighs the next number differently.)
pub fn ema(values: &Column<'_>, span: usize) -> Result<Vec<f64>> {
    let span = check_window("span", span)?;
    let alpha = 2.0 / (span as f64 + 1.0);
    let decay = 1.0 - alpha;
    let count = values.len();
    let mut output = Vec::with_capacity(count);
    let mut average = f64::NAN;
    let mut old_weight = 1.0f64;

    for index in 0..count {
        let value = values.get(index);
        if average.is_nan() {
            average = value;
        } else {
            old_weight *= decay;
            if !value.is_nan() {
                // Written as pandas writes it (divided by the weights' sum, which is not always
                // exactly 1 in floating point) so that the last bits agree.
                if average != value {
                    average = (old_weight * average + alpha * value) / (old_weight + alpha);
                }
                old_weight = 1.0;
            }
        }
        output.push(average);
    }
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| (x.is_nan() && y.is_nan()) || (x - y).abs() < 1e-12)
    }

    #[test]
    fn sma_has_a_warm_up_and_skips_windows_with_nan() {
        let values = [1.0, 2.0, 3.0, f64::NAN, 5.0, 6.0, 7.0];
        let result = sma(&Column::from_slice(&values), 2).unwrap();
        let nan = f64::NAN;
        assert!(close(&result, &[nan, 1.5, 2.5, nan, nan, 5.5, 6.5]));
    }

    #[test]
    fn ema_is_seeded_with_the_first_value() {
        let values = [10.0, 11.0, 12.0];
        let result = ema(&Column::from_slice(&values), 3).unwrap();
        // alpha = 0.5
        assert!(close(&result, &[10.0, 10.5, 11.25]));
    }

    #[test]
    fn ema_carries_over_nan_rows_and_starts_at_the_first_number() {
        let values = [f64::NAN, 4.0, f64::NAN, 8.0];
        let result = ema(&Column::from_slice(&values), 3).unwrap();
        assert!(result[0].is_nan());
        assert_eq!(result[1], 4.0);
        assert_eq!(result[2], 4.0);
        // The NaN row decayed the old weight to 0.5: (0.25 * 4 + 0.5 * 8) / 0.75.
        assert!((result[3] - (0.25 * 4.0 + 0.5 * 8.0) / 0.75).abs() < 1e-12);
    }

    #[test]
    fn zero_window_is_rejected() {
        let values = [1.0];
        assert!(sma(&Column::from_slice(&values), 0).is_err());
        assert!(ema(&Column::from_slice(&values), 0).is_err());
    }
}
