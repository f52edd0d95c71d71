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
    let size = checked_tick_size(tick_size)?;
    // The number of bars is known, so the output is allocated once at its exact size.
    let mut bars = Bars::with_capacity(ticks.len().div_ceil(size));
    let mut current = Bar::start(0, 0.0, 0.0);

    ticks.for_each_chunk(|chunk| {
        let [prices, volumes] = chunk.columns;
        let mut offset = 0;
        while offset < chunk.len() {
            let position = chunk.start + offset;
            if position % size == 0 {
                if position > 0 {
                    bars.push(&current);
                }
                current = Bar::start(chunk.times[offset], prices[offset], volumes[offset]);
                offset += 1;
            }
            // The rest of this bar that lies in this chunk, absorbed as one run.
            let next_bar = position - position % size + size;
            let stop = (next_bar - chunk.start).min(chunk.len());
            if offset < stop {
                current.absorb_run(&prices[offset..stop], &volumes[offset..stop]);
                offset = stop;
            }
        }
    })?;
    bars.push(&current);
    Ok(bars)
}

/// Bars by cumulative volume: tick `i` belongs to bar `trunc(V_i / volume_size)`, where `V_i`
/// is the running total of volume up to and including tick `i` (added in time order).
///
/// So the tick that brings the total to exactly `k * volume_size` opens bar `k`; ticks are
/// never split, so bars hold roughly (not exactly) `volume_size`, and bar numbers can skip
/// (no empty bars are made). Each bar is summarised as in [`tick_bars`].
pub fn volume_bars(ticks: &Rows<'_, 2>, volume_size: f64) -> Result<Bars> {
    check_volume_size(volume_size)?;
    let mut bars = Bars::default();
    let mut state = VolumeState {
        bar: Bar::start(0, 0.0, 0.0),
        number: 0.0,
        next_bar_guard: f64::NEG_INFINITY,
        total: 0.0,
        open: false,
    };

    ticks.for_each_chunk(|chunk| {
        let [prices, volumes] = chunk.columns;
        let mut local = state;
        let mut row = 0;
        while row < chunk.len() {
            // The rows that certainly stay in the current bar, absorbed by a loop whose state
            // is plain local numbers: the compiler keeps them in registers, where a loop over
            // the whole state (with the bar pushes in it) kept the running total on the stack.
            let run = absorb_below_guard(&mut local, &prices[row..], &volumes[row..]);
            row += run;
            if row == chunk.len() {
                break;
            }
            let (time, price, volume) = (chunk.times[row], prices[row], volumes[row]);
            local.total += volume;
            row += 1;
            let number = whole_part(local.total / volume_size);
            if local.open && number == local.number {
                local.bar.absorb(price, volume);
                continue;
            }
            if local.open {
                bars.push(&local.bar);
            }
            local.bar = Bar::start(time, price, volume);
            local.number = number;
            local.next_bar_guard = next_bar_guard(number, volume_size);
            local.open = true;
        }
        state = local;
    })?;
    if state.open {
        bars.push(&state.bar);
    }
    bars.shrink_to_fit();
    Ok(bars)
}

/// `tick_size` as a row count, or the error every engine reports for it.
pub fn checked_tick_size(tick_size: i64) -> Result<usize> {
    usize::try_from(tick_size)
        .ok()
        .filter(|&size| size > 0)
        .ok_or_else(|| {
            Error::invalid(format!(
                "tick_size must be a positive whole number, got {tick_size}."
            ))
        })
}

/// The error every engine reports for a `volume_size` that is not a positive number.
pub fn check_volume_size(volume_size: f64) -> Result<()> {
    if volume_size.is_finite() && volume_size > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "volume_size must be a positive number, got {volume_size}."
        )))
    }
}

/// What the volume-bar pass carries from one row to the next.
#[derive(Debug, Clone, Copy)]
struct VolumeState {
    bar: Bar,
    /// The current bar's number, `trunc(total / volume_size)` at its first tick.
    number: f64,
    /// Running totals below this are certainly still in the current bar.
    next_bar_guard: f64,
    total: f64,
    open: bool,
}

/// Absorbs the leading rows of `prices` and `volumes` whose running total stays below
/// `state.next_bar_guard` into `state.bar` (exactly as [`Bar::absorb`] row by row, totals
/// added in the same order), and returns how many it absorbed.
#[inline]
fn absorb_below_guard(state: &mut VolumeState, prices: &[f64], volumes: &[f64]) -> usize {
    let guard = state.next_bar_guard;
    let (mut total, mut volume_sum) = (state.total, state.bar.volume);
    let (mut high, mut low, mut close) = (state.bar.high, state.bar.low, state.bar.close);
    let mut absorbed = 0;
    for (&price, &volume) in prices.iter().zip(volumes) {
        let next_total = total + volume;
        if next_total >= guard {
            break;
        }
        total = next_total;
        volume_sum += volume;
        high = if price > high { price } else { high };
        low = if price < low { price } else { low };
        close = price;
        absorbed += 1;
    }
    state.total = total;
    state.bar.volume = volume_sum;
    state.bar.high = high;
    state.bar.low = low;
    state.bar.close = close;
    absorbed
}

/// A running total below which `trunc(total / volume_size)` is certainly still `number`.
///
/// The division is exact-rounded and monotonic in `total`, so every total under
/// `(number + 1) * volume_size * (1 - 4 * EPSILON)` (each step rounded) gives a quotient under
/// `number + 1`. Totals at or above the guard (a few per bar) take the division itself, so the
/// bar numbers are exactly polars' `(cum_sum / volume_size).cast(Int64)`.
#[inline]
fn next_bar_guard(number: f64, volume_size: f64) -> f64 {
    (number + 1.0) * volume_size * (1.0 - 4.0 * f64::EPSILON)
}

/// `value.trunc()` for a non-negative `value`, without the libm call `trunc` compiles to on
/// x86-64 without SSE4.1 (a call in the hot loop also forces the loop's state out of
/// registers). Kept as a float so that enormous totals cannot overflow an integer.
#[inline]
fn whole_part(value: f64) -> f64 {
    // Every float from 2^52 up is a whole number already.
    const ALL_WHOLE: f64 = 4_503_599_627_370_496.0;
    if value < ALL_WHOLE {
        (value as i64) as f64
    } else {
        value
    }
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

    /// OHLCV rows over borrowed slices: `columns` are open, high, low, close and volume.
    pub(crate) fn ohlcv_rows<'a>(
        times: &'a [i64],
        columns: [&'a [f64]; 5],
        sorting: Sorting,
    ) -> Rows<'a, 5> {
        let [open, high, low, close, volume] = columns.map(Column::from_slice);
        Rows::new(
            Timestamps {
                name: "timestamp",
                values: ArrayView1::from(times),
            },
            [
                Field::price("open", open),
                Field::price("high", high),
                Field::price("low", low),
                Field::price("close", close),
                Field::volume("volume", volume),
            ],
            sorting,
        )
        .unwrap()
    }

    /// OHLC rows without volume whose four prices are all `prices`, sorted already.
    pub(crate) fn price_rows<'a>(times: &'a [i64], prices: &'a [f64]) -> Rows<'a, 4> {
        let price = || Column::from_slice(prices);
        Rows::new(
            Timestamps {
                name: "timestamp",
                values: ArrayView1::from(times),
            },
            [
                Field::price("open", price()),
                Field::price("high", price()),
                Field::price("low", price()),
                Field::price("close", price()),
            ],
            Sorting::RequireSorted,
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
    fn tick_bars_across_chunk_edges_equal_bars_row_by_row() {
        let count = 5 * crate::aggregate::rows::CHUNK + 3;
        let times: Vec<i64> = (0..count as i64).collect();
        let prices: Vec<f64> = (0..count).map(|row| ((row * 7919) % 1000) as f64).collect();
        let volumes: Vec<f64> = (0..count).map(|row| (row % 13) as f64).collect();
        for size in [1, 2, 3, 1000, 1024, 1025, count, count + 1] {
            let bars = tick_bars(&ticks(&times, &prices, &volumes), size as i64).unwrap();
            let mut expected = Vec::new();
            for (index, start) in (0..count).step_by(size).enumerate() {
                let stop = (start + size).min(count);
                let mut bar = Bar::start(times[start], prices[start], volumes[start]);
                for row in start + 1..stop {
                    bar.absorb(prices[row], volumes[row]);
                }
                assert_eq!(bars.get(index), Some(bar), "size {size}, bar {index}");
                expected.push(bar);
            }
            assert_eq!(bars.len(), expected.len());
        }
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
    fn the_guard_never_skips_a_bar_boundary() {
        // Totals just below and at each boundary, for awkward sizes: below the guard the
        // division must agree that the bar has not changed.
        for size in [0.1, 0.3, 1.0 / 3.0, 7.7, 1e-9, 12_345.678, 1e12] {
            for number in [0.0f64, 1.0, 2.0, 9.0, 99.0, 12_345.0, 1e9] {
                let guard = next_bar_guard(number, size);
                let mut total = guard;
                for _ in 0..8 {
                    total = f64::from_bits(total.to_bits() - 1);
                    assert!(
                        whole_part(total / size) <= number,
                        "{size} {number} {total}"
                    );
                }
            }
        }
    }

    #[test]
    fn whole_part_truncates_like_trunc() {
        for value in [
            0.0,
            0.5,
            1.0,
            2.999_999,
            1e15 + 0.5,
            4.5e15,
            1e300,
            f64::INFINITY,
        ] {
            assert_eq!(whole_part(value), value.trunc(), "{value}");
        }
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
