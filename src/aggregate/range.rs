//! Range bars: each bar closes as soon as its high and low are `range_size` apart.

use super::rows::Rows;
use super::{Bar, Bars};
use crate::errors::{Error, Result};

/// Range bars over ticks in time order.
///
/// A bar opens at a tick (its timestamp and price, with that tick's volume) and absorbs the
/// following ticks; the first tick that makes `high - low >= range_size` is the bar's last,
/// and the next tick opens a new bar. Bars can span more than `range_size` when prices gap.
/// A final bar that did not reach the range is kept as long as it holds at least one tick.
///
/// Unlike the original, the bar closed by the very last tick is emitted once (the original
/// appended it a second time), and a final partial bar is kept even when its volume is zero
/// (the original used "volume > 0" to mean "has ticks").
pub fn range_bars(ticks: &Rows<'_, 2>, range_size: f64) -> Result<Bars> {
    if !(range_size.is_finite() && range_size > 0.0) {
        return Err(Error::invalid(format!(
            "range_size must be a positive number, got {range_size}."
        )));
    }
    let mut bars = Bars::default();
    let mut current = Bar::start(0, 0.0, 0.0);
    let mut has_bar = false;

    ticks.for_each_chunk(|chunk| {
        let [prices, volumes] = chunk.columns;
        // Local copies keep the bar in registers for the inner loop.
        let (mut bar, mut open) = (current, has_bar);
        for ((&time, &price), &volume) in chunk.times.iter().zip(prices).zip(volumes) {
            if !open {
                bar = Bar::start(time, price, 0.0);
                open = true;
            }
            bar.absorb(price, volume);
            if bar.high - bar.low >= range_size {
                bars.push(&bar);
                open = false;
            }
        }
        (current, has_bar) = (bar, open);
    })?;
    if has_bar {
        bars.push(&current);
    }
    bars.shrink_to_fit();
    Ok(bars)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::bars::tests::{rows_of, ticks};

    #[test]
    fn bars_close_when_the_range_is_reached() {
        let times = [1, 2, 3, 4, 5, 6];
        let prices = [10.0, 10.5, 11.0, 11.2, 10.1, 10.4];
        let volumes = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let bars = range_bars(&ticks(&times, &prices, &volumes), 1.0).unwrap();
        assert_eq!(
            rows_of(&bars),
            [
                (1, 10.0, 11.0, 10.0, 11.0, 3.0),
                (4, 11.2, 11.2, 10.1, 10.1, 2.0),
                (6, 10.4, 10.4, 10.4, 10.4, 1.0),
            ]
        );
    }

    #[test]
    fn a_bar_closed_by_the_last_tick_appears_once() {
        let times = [1, 2, 3, 4];
        let prices = [10.0, 11.0, 11.0, 12.0];
        let volumes = [2.0, 3.0, 0.0, 5.0];
        let bars = range_bars(&ticks(&times, &prices, &volumes), 1.0).unwrap();
        assert_eq!(
            rows_of(&bars),
            [
                (1, 10.0, 11.0, 10.0, 11.0, 5.0),
                (3, 11.0, 12.0, 11.0, 12.0, 5.0)
            ]
        );
    }

    #[test]
    fn a_final_partial_bar_with_zero_volume_is_kept() {
        let times = [1, 2, 3];
        let prices = [10.0, 12.0, 12.5];
        let volumes = [1.0, 1.0, 0.0];
        let bars = range_bars(&ticks(&times, &prices, &volumes), 1.0).unwrap();
        assert_eq!(rows_of(&bars)[1], (3, 12.5, 12.5, 12.5, 12.5, 0.0));
    }

    #[test]
    fn range_size_must_be_positive() {
        let (times, prices, volumes) = ([1], [1.0], [1.0]);
        let data = ticks(&times, &prices, &volumes);
        for bad in [0.0, -0.5, f64::NAN] {
            assert!(range_bars(&data, bad).is_err());
        }
    }
}
