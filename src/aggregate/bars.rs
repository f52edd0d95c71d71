//! Tick bars (a fixed number of ticks each) and volume bars (a fixed amount of traded volume
//! each), built in one pass over ticks in time order.

use super::rows::Rows;
use super::{Bar, Bars};
use crate::errors::{Error, Result};

/// Bars of `tick_size` consecutive ticks (in time order); the last bar may hold fewer.
///
/// Each bar's timestamp, open and close are those of its first and last tick, high and low the
/// extremes, volume the sum (added in time order).
pub fn tick_bars(ticks: &Rows<'_, 2>, tick_size: i64) -> Result<Bars> {
    let size = usize::try_from(tick_size)
        .ok()
        .filter(|&size| size > 0)
        .ok_or_else(|| {
            Error::invalid(format!(
                "tick_size must be a positive whole number, got {tick_size}."
            ))
        })?;
    // The number of bars is known, so the output is allocated once at its exact size.
    let mut bars = Bars::with_capacity(ticks.len().div_ceil(size));
    let mut current: Option<Bar> = None;
    let mut left_in_bar = 0usize;

    ticks.for_each_row(|_, time, [price, volume]| {
        if left_in_bar == 0 {
            if let Some(bar) = &current {
                bars.push(bar);
            }
            current = Some(Bar::start(time, price, volume));
            left_in_bar = size - 1;
        } else if let Some(bar) = &mut current {
            bar.absorb(price, volume);
            left_in_bar -= 1;
        }
    })?;
    if let Some(bar) = &current {
        bars.push(bar);
    }
    Ok(bars)
}

/// Bars by cumulative volume: tick `i` belongs to bar `trunc(V_i / volume_size)`, where `V_i`
/// is the running total of volume up to and including tick `i` (added in time order).
///
/// So the tick that brings the total to exactly `k * volume_size` opens bar `k`; ticks are
/// never split, so bars hold roughly (not exactly) `volume_size`, and bar numbers can skip
/// (no empty bars are made). Each bar is summarised as in [`tick_bars`].
pub fn volume_bars(ticks: &Rows<'_, 2>, volume_size: f64) -> Result<Bars> {
    if !(volume_size.is_finite() && volume_size > 0.0) {
        return Err(Error::invalid(format!(
            "volume_size must be a positive number, got {volume_size}."
        )));
    }
    let mut bars = Bars::default();
    let mut current: Option<(f64, Bar)> = None;
    let mut total = 0.0f64;

    ticks.for_each_row(|_, time, [price, volume]| {
        total += volume;
        // Compared as a float so that enormous totals cannot overflow an integer.
        let bar_number = (total / volume_size).trunc();
        match &mut current {
            Some((number, bar)) if *number == bar_number => bar.absorb(price, volume),
            _ => {
                if let Some((_, bar)) = &current {
                    bars.push(bar);
                }
                current = Some((bar_number, Bar::start(time, price, volume)));
            }
        }
    })?;
    if let Some((_, bar)) = &current {
        bars.push(bar);
    }
    bars.shrink_to_fit();
    Ok(bars)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::aggregate::rows::{Field, Sorting, Timestamps};
    use crate::input::Column;
    use numpy::ndarray::ArrayView1;

    /// Ticks over borrowed slices, for the tests of every bar algorithm.
    pub(crate) fn ticks<'a>(
        times: &'a [i64],
        prices: &'a [f64],
        volumes: &'a [f64],
    ) -> Rows<'a, 2> {
        Rows::new(
            Timestamps {
                name: "timestamp",
                values: ArrayView1::from(times),
            },
            [
                Field::price("price", Column::from_slice(prices)),
                Field::volume("volume", Column::from_slice(volumes)),
            ],
            Sorting::SortIfNeeded,
        )
        .unwrap()
    }

    /// Bars as (timestamp, open, high, low, close, volume) rows.
    pub(crate) fn rows_of(bars: &Bars) -> Vec<(i64, f64, f64, f64, f64, f64)> {
        (0..bars.len())
            .filter_map(|index| bars.get(index))
            .map(|bar| {
                (
                    bar.timestamp,
                    bar.open,
                    bar.high,
                    bar.low,
                    bar.close,
                    bar.volume,
                )
            })
            .collect()
    }

    #[test]
    fn tick_bars_group_fixed_counts_and_keep_a_partial_last_bar() {
        let times = [1, 2, 3, 4, 5];
        let prices = [10.0, 12.0, 9.0, 11.0, 13.0];
        let volumes = [1.0, 2.0, 3.0, 4.0, 5.0];
        let bars = tick_bars(&ticks(&times, &prices, &volumes), 2).unwrap();
        assert_eq!(
            rows_of(&bars),
            [
                (1, 10.0, 12.0, 10.0, 12.0, 3.0),
                (3, 9.0, 11.0, 9.0, 11.0, 7.0),
                (5, 13.0, 13.0, 13.0, 13.0, 5.0),
            ]
        );
        assert_eq!(bars.timestamp.capacity(), 3);
    }

    #[test]
    fn tick_bars_follow_time_order_not_input_order() {
        let times = [3, 1, 2];
        let prices = [30.0, 10.0, 20.0];
        let volumes = [1.0, 1.0, 1.0];
        let bars = tick_bars(&ticks(&times, &prices, &volumes), 2).unwrap();
        assert_eq!(
            rows_of(&bars),
            [
                (1, 10.0, 20.0, 10.0, 20.0, 2.0),
                (3, 30.0, 30.0, 30.0, 30.0, 1.0)
            ]
        );
    }

    #[test]
    fn volume_bars_cut_where_the_running_total_crosses_a_multiple() {
        // Running totals 4, 10, 12, 15, 16, 30 with size 5 give bar numbers 0, 2, 2, 3, 3, 6.
        let times = [1, 2, 3, 4, 5, 6];
        let prices = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let volumes = [4.0, 6.0, 2.0, 3.0, 1.0, 14.0];
        let bars = volume_bars(&ticks(&times, &prices, &volumes), 5.0).unwrap();
        assert_eq!(
            rows_of(&bars),
            [
                (1, 1.0, 1.0, 1.0, 1.0, 4.0),
                (2, 2.0, 3.0, 2.0, 3.0, 8.0),
                (4, 4.0, 5.0, 4.0, 5.0, 4.0),
                (6, 6.0, 6.0, 6.0, 6.0, 14.0),
            ]
        );
    }

    #[test]
    fn sizes_must_be_positive() {
        let (times, prices, volumes) = ([1], [1.0], [1.0]);
        let data = ticks(&times, &prices, &volumes);
        assert_eq!(
            tick_bars(&data, 0).unwrap_err().to_string(),
            "tick_size must be a positive whole number, got 0."
        );
        assert!(tick_bars(&data, -3).is_err());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(volume_bars(&data, bad).is_err());
        }
    }
}
