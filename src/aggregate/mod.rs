//! Aggregation stage: turns time-ordered rows (ticks, or OHLCV bars) into bars, in one
//! streaming pass over the caller's columns.
//!
//! Owns: reading rows in timestamp order ([`rows`]), the bar algorithms (tick and volume bars
//! in [`bars`], [`range`], [`kagi`], [`line_break`], time bars in [`resample`] with the duration
//! grammar in [`duration`]) and the one-column reductions ([`reduce`]).
//!
//! Must never: copy the caller's columns (rows are read in place, a fixed-size chunk at a time
//! when a conversion or a reordering is needed), hold the GIL, or allocate more than the output
//! plus bounded scratch. The one exception is unsorted input, which costs a permutation of 16
//! bytes per row (each row's timestamp and index; never a copy of the columns themselves).
//!
//! Every function validates its input as it reads it: a NaN or infinite price, a negative or
//! NaN volume, a missing timestamp or an empty input is an [`crate::errors::Error`] naming the
//! column and the row, never a wrong result.

pub mod bars;
pub mod duration;
pub mod kagi;
pub mod line_break;
pub mod range;
pub mod reduce;
pub mod resample;
pub mod rows;

/// One bar while it is being built, or once it is finished.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// Timestamp of the bar, in the unit of the input timestamps.
    pub timestamp: i64,
    /// First price.
    pub open: f64,
    /// Highest price.
    pub high: f64,
    /// Lowest price.
    pub low: f64,
    /// Last price.
    pub close: f64,
    /// Total volume.
    pub volume: f64,
}

impl Bar {
    /// A bar holding a single row.
    #[inline]
    pub fn start(timestamp: i64, price: f64, volume: f64) -> Bar {
        Bar {
            timestamp,
            open: price,
            high: price,
            low: price,
            close: price,
            volume,
        }
    }

    /// Adds a run of rows (prices and volumes of equal length, at least one row) to the bar:
    /// the same result as [`Bar::absorb`] row by row, volumes added in the same order.
    #[inline]
    pub fn absorb_run(&mut self, prices: &[f64], volumes: &[f64]) {
        let Some(&last) = prices.last() else {
            return;
        };
        let (low, high) = extremes(prices);
        if high > self.high {
            self.high = high;
        }
        if low < self.low {
            self.low = low;
        }
        self.close = last;
        self.volume = volumes
            .iter()
            .fold(self.volume, |total, &volume| total + volume);
    }

    /// Adds one more row at `price` with `volume` to the bar.
    #[inline]
    pub fn absorb(&mut self, price: f64, volume: f64) {
        // Prices were checked to be finite, so plain comparisons are enough. Written as
        // selects (not conditional stores) so they compile to branch-free max/min: new highs
        // in a random walk are too irregular for the branch predictor.
        self.high = if price > self.high { price } else { self.high };
        self.low = if price < self.low { price } else { self.low };
        self.close = price;
        self.volume += volume;
    }
}

/// Lowest and highest of `values` (finite numbers).
#[inline]
pub fn extremes(values: &[f64]) -> (f64, f64) {
    (lowest(values), highest(values))
}

/// Highest of `values` (finite numbers; -inf when empty), in independent lanes so the
/// compiler can vectorise the pass.
#[inline]
pub fn highest(values: &[f64]) -> f64 {
    const LANES: usize = 4;
    let mut highs = [f64::NEG_INFINITY; LANES];
    let blocks = values.chunks_exact(LANES);
    let rest = blocks.remainder();
    for block in blocks {
        for lane in 0..LANES {
            highs[lane] = if block[lane] > highs[lane] {
                block[lane]
            } else {
                highs[lane]
            };
        }
    }
    highs
        .iter()
        .chain(rest)
        .fold(f64::NEG_INFINITY, |high, &value| high.max(value))
}

/// Lowest of `values` (finite numbers; +inf when empty), like [`highest`].
#[inline]
pub fn lowest(values: &[f64]) -> f64 {
    const LANES: usize = 4;
    let mut lows = [f64::INFINITY; LANES];
    let blocks = values.chunks_exact(LANES);
    let rest = blocks.remainder();
    for block in blocks {
        for lane in 0..LANES {
            lows[lane] = if block[lane] < lows[lane] {
                block[lane]
            } else {
                lows[lane]
            };
        }
    }
    lows.iter()
        .chain(rest)
        .fold(f64::INFINITY, |low, &value| low.min(value))
}

/// Finished bars, one vector per output column (what Python receives as numpy arrays).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Bars {
    /// Timestamps, in the unit of the input timestamps.
    pub timestamp: Vec<i64>,
    /// Opening prices.
    pub open: Vec<f64>,
    /// Highest prices.
    pub high: Vec<f64>,
    /// Lowest prices.
    pub low: Vec<f64>,
    /// Closing prices.
    pub close: Vec<f64>,
    /// Volumes.
    pub volume: Vec<f64>,
}

impl Bars {
    /// Empty bars with room for `capacity` bars (pass the exact count when it is known, so no
    /// vector ever grows past the output).
    pub fn with_capacity(capacity: usize) -> Bars {
        Bars {
            timestamp: Vec::with_capacity(capacity),
            open: Vec::with_capacity(capacity),
            high: Vec::with_capacity(capacity),
            low: Vec::with_capacity(capacity),
            close: Vec::with_capacity(capacity),
            volume: Vec::with_capacity(capacity),
        }
    }

    /// Appends a finished bar.
    #[inline]
    pub fn push(&mut self, bar: &Bar) {
        self.timestamp.push(bar.timestamp);
        self.open.push(bar.open);
        self.high.push(bar.high);
        self.low.push(bar.low);
        self.close.push(bar.close);
        self.volume.push(bar.volume);
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.timestamp.len()
    }

    /// Whether there are no bars.
    pub fn is_empty(&self) -> bool {
        self.timestamp.is_empty()
    }

    /// Gives back the spare capacity that vector growth left, so the arrays handed to Python
    /// hold exactly the output.
    pub fn shrink_to_fit(&mut self) {
        self.timestamp.shrink_to_fit();
        self.open.shrink_to_fit();
        self.high.shrink_to_fit();
        self.low.shrink_to_fit();
        self.close.shrink_to_fit();
        self.volume.shrink_to_fit();
    }

    /// Bytes of output (six eight-byte columns).
    pub fn byte_size(&self) -> usize {
        self.len() * 6 * 8
    }

    /// Bar `index` as a [`Bar`].
    pub fn get(&self, index: usize) -> Option<Bar> {
        Some(Bar {
            timestamp: *self.timestamp.get(index)?,
            open: self.open[index],
            high: self.high[index],
            low: self.low[index],
            close: self.close[index],
            volume: self.volume[index],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_tracks_extremes_last_price_and_volume() {
        let mut bar = Bar::start(7, 10.0, 1.0);
        bar.absorb(12.0, 2.0);
        bar.absorb(9.0, 3.0);
        bar.absorb(11.0, 0.5);
        assert_eq!(
            bar,
            Bar {
                timestamp: 7,
                open: 10.0,
                high: 12.0,
                low: 9.0,
                close: 11.0,
                volume: 6.5
            }
        );
    }

    #[test]
    fn a_run_equals_its_rows_one_by_one() {
        let prices = [10.0, 12.5, 9.0, 11.0, 13.0, 8.5, 10.0];
        let volumes = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
        let mut by_row = Bar::start(1, 10.0, 1.0);
        for (&price, &volume) in prices.iter().zip(&volumes) {
            by_row.absorb(price, volume);
        }
        let mut by_run = Bar::start(1, 10.0, 1.0);
        by_run.absorb_run(&prices[..3], &volumes[..3]);
        by_run.absorb_run(&prices[3..], &volumes[3..]);
        assert_eq!(by_run, by_row);
        assert_eq!(extremes(&prices), (8.5, 13.0));
    }

    #[test]
    fn bars_round_trip_through_the_columns() {
        let mut bars = Bars::with_capacity(1);
        let bar = Bar::start(3, 1.5, 2.0);
        bars.push(&bar);
        assert_eq!(bars.len(), 1);
        assert_eq!(bars.get(0), Some(bar));
        assert_eq!(bars.get(1), None);
        assert_eq!(bars.byte_size(), 48);
    }
}
