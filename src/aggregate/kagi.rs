//! Kagi lines: a line extends while price moves its way and reverses only after a move of at
//! least the reversal threshold against it.

use super::rows::Rows;
use super::{Bar, Bars};
use crate::errors::{Error, Result};

/// How far price must move against a line to reverse it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reversal {
    /// A fixed price distance.
    Amount(f64),
    /// A fraction of the line's current end price (0.02 is 2 %).
    Fraction(f64),
}

impl Reversal {
    /// Exactly one of the two thresholds, checked to be a positive finite number.
    pub fn from_options(amount: Option<f64>, fraction: Option<f64>) -> Result<Reversal> {
        let checked = |name: &str, value: f64| {
            if value.is_finite() && value > 0.0 {
                Ok(value)
            } else {
                Err(Error::invalid(format!(
                    "{name} must be a positive number, got {value}."
                )))
            }
        };
        match (amount, fraction) {
            (Some(amount), None) => Ok(Reversal::Amount(checked("reversal_amount", amount)?)),
            (None, Some(fraction)) => Ok(Reversal::Fraction(checked("reversal_pct", fraction)?)),
            (Some(amount), Some(fraction)) => Err(Error::invalid(format!(
                "Give either reversal_amount or reversal_pct, not both (got {amount} and \
                 {fraction})."
            ))),
            (None, None) => Err(Error::invalid(
                "Give either reversal_amount or reversal_pct; both are None.",
            )),
        }
    }

    fn threshold(self, end: f64) -> f64 {
        match self {
            Reversal::Amount(amount) => amount,
            Reversal::Fraction(fraction) => end.abs() * fraction,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Undecided,
    Up,
    Down,
}

/// Kagi lines over ticks in time order, as bars: timestamp of the line's first tick, open = the
/// line's start, close = its end, high and low = the extremes of every price the line saw,
/// volume = the volume of its ticks.
///
/// The first line starts at the first tick and takes its direction from the first price that
/// differs from the start. Then each tick's price first widens the current line's high/low;
/// with `threshold` = the fixed amount, or the fraction times `|end|`:
/// - a price beyond the end in the line's direction extends the end;
/// - a price at least `threshold` against the end closes the line (that price stays in the
///   closed line's high/low) and starts a line the other way, from the old end to this price,
///   holding only this tick's volume;
/// - any other price only adds its volume.
///
/// A last line without a direction (all prices equal) is not emitted, as in the original.
pub fn kagi_lines(ticks: &Rows<'_, 2>, reversal: Reversal) -> Result<Bars> {
    let mut bars = Bars::default();
    let mut current = Bar::start(0, 0.0, 0.0);
    let mut current_direction = Direction::Undecided;

    ticks.for_each_chunk(|chunk| {
        let [prices, volumes] = chunk.columns;
        let mut rows = chunk.times.iter().zip(prices).zip(volumes);
        if chunk.start == 0 {
            if let Some(((&time, &price), &volume)) = rows.next() {
                current = Bar::start(time, price, volume);
            }
        }
        // Local copies keep the line in registers for the inner loop.
        let (mut line, mut direction) = (current, current_direction);
        for ((&time, &price), &volume) in rows {
            line.high = line.high.max(price);
            line.low = line.low.min(price);

            let end = line.close;
            match direction {
                Direction::Undecided => {
                    line.volume += volume;
                    if price != line.open {
                        direction = if price > line.open {
                            Direction::Up
                        } else {
                            Direction::Down
                        };
                        line.close = price;
                    }
                }
                Direction::Up if price > end => extend(&mut line, price, volume),
                Direction::Down if price < end => extend(&mut line, price, volume),
                Direction::Up if end - price >= reversal.threshold(end) => {
                    bars.push(&line);
                    line = reversed(time, end, price, volume);
                    direction = Direction::Down;
                }
                Direction::Down if price - end >= reversal.threshold(end) => {
                    bars.push(&line);
                    line = reversed(time, end, price, volume);
                    direction = Direction::Up;
                }
                Direction::Up | Direction::Down => line.volume += volume,
            }
        }
        (current, current_direction) = (line, direction);
    })?;
    if current_direction != Direction::Undecided {
        bars.push(&current);
    }
    bars.shrink_to_fit();
    Ok(bars)
}

fn extend(line: &mut Bar, price: f64, volume: f64) {
    line.close = price;
    line.volume += volume;
}

/// A new line from the old line's `end` to `price`.
fn reversed(time: i64, end: f64, price: f64, volume: f64) -> Bar {
    Bar {
        timestamp: time,
        open: end,
        high: end.max(price),
        low: end.min(price),
        close: price,
        volume,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::bars::tests::{rows_of, ticks};

    #[test]
    fn lines_extend_and_reverse_by_a_fixed_amount() {
        // 10 -> 11 (up) -> 12 -> 11.5 (within 1) -> 10.8 (1.2 below 12: reverse) -> 10.5
        // (extends down) -> 11.6 (1.1 above 10.5: reverse) -> 11.8.
        let times = [1, 2, 3, 4, 5, 6, 7, 8];
        let prices = [10.0, 11.0, 12.0, 11.5, 10.8, 10.5, 11.6, 11.8];
        let volumes = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let lines = kagi_lines(&ticks(&times, &prices, &volumes), Reversal::Amount(1.0)).unwrap();
        assert_eq!(
            rows_of(&lines),
            [
                (1, 10.0, 12.0, 10.0, 12.0, 10.0),
                (5, 12.0, 12.0, 10.5, 10.5, 11.0),
                (7, 10.5, 11.8, 10.5, 11.8, 15.0),
            ]
        );
        let total: f64 = rows_of(&lines).iter().map(|line| line.5).sum();
        assert_eq!(total, volumes.iter().sum::<f64>());
    }

    #[test]
    fn a_reversing_price_stays_in_the_closed_lines_range() {
        let times = [1, 2, 3];
        let prices = [10.0, 10.5, 8.0];
        let volumes = [1.0, 1.0, 1.0];
        let lines = kagi_lines(&ticks(&times, &prices, &volumes), Reversal::Amount(1.0)).unwrap();
        assert_eq!(
            rows_of(&lines),
            [
                (1, 10.0, 10.5, 8.0, 10.5, 2.0),
                (3, 10.5, 10.5, 8.0, 8.0, 1.0)
            ]
        );
    }

    #[test]
    fn a_fractional_threshold_follows_the_end_price() {
        // 10% of the end: 200 -> 220 needs a fall of 22 to reverse; 199 does not, 197 does.
        let times = [1, 2, 3, 4];
        let prices = [200.0, 220.0, 199.0, 197.0];
        let volumes = [1.0; 4];
        let lines = kagi_lines(&ticks(&times, &prices, &volumes), Reversal::Fraction(0.1)).unwrap();
        assert_eq!(
            rows_of(&lines),
            [
                (1, 200.0, 220.0, 197.0, 220.0, 3.0),
                (4, 220.0, 220.0, 197.0, 197.0, 1.0)
            ]
        );
    }

    #[test]
    fn flat_prices_make_no_line() {
        let (times, prices, volumes) = ([1, 2], [5.0, 5.0], [1.0, 1.0]);
        let lines = kagi_lines(&ticks(&times, &prices, &volumes), Reversal::Amount(1.0)).unwrap();
        assert!(lines.is_empty());
    }

    #[test]
    fn exactly_one_threshold_is_required() {
        assert!(Reversal::from_options(None, None).is_err());
        assert!(Reversal::from_options(Some(1.0), Some(0.1)).is_err());
        assert!(Reversal::from_options(Some(0.0), None).is_err());
        assert!(Reversal::from_options(None, Some(f64::NAN)).is_err());
        assert_eq!(
            Reversal::from_options(None, Some(0.5)).unwrap(),
            Reversal::Fraction(0.5)
        );
    }
}
