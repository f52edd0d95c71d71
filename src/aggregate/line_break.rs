//! N-line break (three-line break when N = 3): lines drawn only when price breaks the last
//! line, reversals only when it breaks the extreme of the last N lines.

use std::collections::VecDeque;

use super::rows::Rows;
use super::{Bar, Bars};
use crate::errors::{Error, Result};

/// The last line drawn.
#[derive(Debug, Clone, Copy)]
struct LastLine {
    up: bool,
    open: f64,
    close: f64,
}

/// Highest high and lowest low of the last `span` lines, in O(1) per line (two monotonic
/// queues holding at most `span` entries each).
#[derive(Debug)]
struct RecentExtremes {
    span: usize,
    highs: VecDeque<(usize, f64)>,
    lows: VecDeque<(usize, f64)>,
}

impl RecentExtremes {
    fn new(span: usize) -> Self {
        RecentExtremes {
            span,
            highs: VecDeque::new(),
            lows: VecDeque::new(),
        }
    }

    fn push(&mut self, index: usize, high: f64, low: f64) {
        while self.highs.back().is_some_and(|&(_, value)| value <= high) {
            self.highs.pop_back();
        }
        self.highs.push_back((index, high));
        while self.lows.back().is_some_and(|&(_, value)| value >= low) {
            self.lows.pop_back();
        }
        self.lows.push_back((index, low));
        let oldest_kept = (index + 1).saturating_sub(self.span);
        while self
            .highs
            .front()
            .is_some_and(|&(kept, _)| kept < oldest_kept)
        {
            self.highs.pop_front();
        }
        while self
            .lows
            .front()
            .is_some_and(|&(kept, _)| kept < oldest_kept)
        {
            self.lows.pop_front();
        }
    }

    fn high(&self) -> f64 {
        self.highs
            .front()
            .map_or(f64::INFINITY, |&(_, value)| value)
    }

    fn low(&self) -> f64 {
        self.lows
            .front()
            .map_or(f64::NEG_INFINITY, |&(_, value)| value)
    }
}

/// N-line break lines over ticks in time order, as bars.
///
/// The first price is the reference. The first line is drawn by the first price that differs
/// from it, from the reference to that price (up if higher, down if lower). After that, with
/// the last line drawn:
/// - after an up line, a price above its close draws an up line from that close to the price;
///   a price below the lowest low of the last `num_lines` lines (all lines while there are
///   fewer) draws a down line from the last line's open (its bottom) to the price;
/// - after a down line, the mirror image: below its close continues down, above the highest
///   high of the last `num_lines` lines reverses up from the last line's open (its top);
/// - any other price draws nothing.
///
/// Each line's high and low are its top and bottom (`max`/`min` of open and close), its
/// timestamp is that of the first tick since the previous line, and its volume is the volume
/// of the ticks from there up to and including the one that drew it. Ticks after the last
/// line drawn belong to no line. (The original never drew a second line: it always returned a
/// single row spanning all ticks.)
pub fn line_break(ticks: &Rows<'_, 2>, num_lines: i64) -> Result<Bars> {
    let span = usize::try_from(num_lines)
        .ok()
        .filter(|&span| span > 0)
        .ok_or_else(|| {
            Error::invalid(format!(
                "num_lines must be a positive whole number, got {num_lines}."
            ))
        })?;
    let mut bars = Bars::default();
    let mut extremes = RecentExtremes::new(span);
    let mut state = LineState {
        reference: 0.0,
        last: None,
        pending_time: 0,
        pending_volume: 0.0,
        pending: false,
        reversal_high: f64::INFINITY,
        reversal_low: f64::NEG_INFINITY,
    };

    ticks.for_each_chunk(|chunk| {
        let [prices, volumes] = chunk.columns;
        // A local copy keeps the state in registers for the inner loop.
        let mut local = state;
        for (offset, ((&time, &price), &volume)) in
            chunk.times.iter().zip(prices).zip(volumes).enumerate()
        {
            if !local.pending {
                (local.pending_time, local.pending_volume, local.pending) = (time, 0.0, true);
            }
            local.pending_volume += volume;
            if chunk.start + offset == 0 {
                local.reference = price;
                continue;
            }
            let Some((open, close)) = local.line_drawn_by(price) else {
                continue;
            };
            let line = Bar {
                timestamp: local.pending_time,
                open,
                high: open.max(close),
                low: open.min(close),
                close,
                volume: local.pending_volume,
            };
            extremes.push(bars.len(), line.high, line.low);
            bars.push(&line);
            local.last = Some(LastLine {
                up: close > open,
                open,
                close,
            });
            local.pending = false;
            (local.reversal_high, local.reversal_low) = (extremes.high(), extremes.low());
        }
        state = local;
    })?;
    bars.shrink_to_fit();
    Ok(bars)
}

/// Everything the line-break pass carries from one row to the next.
#[derive(Debug, Clone, Copy)]
struct LineState {
    reference: f64,
    last: Option<LastLine>,
    /// First timestamp and volume of the ticks since the last line drawn, if any.
    pending_time: i64,
    pending_volume: f64,
    pending: bool,
    /// Highest high and lowest low of the last `num_lines` lines.
    reversal_high: f64,
    reversal_low: f64,
}

impl LineState {
    /// The (open, close) of the line `price` draws, if it draws one.
    #[inline]
    fn line_drawn_by(&self, price: f64) -> Option<(f64, f64)> {
        match self.last {
            None if price != self.reference => Some((self.reference, price)),
            None => None,
            Some(line) if line.up && price > line.close => Some((line.close, price)),
            Some(line) if line.up && price < self.reversal_low => Some((line.open, price)),
            Some(line) if !line.up && price < line.close => Some((line.close, price)),
            Some(line) if !line.up && price > self.reversal_high => Some((line.open, price)),
            Some(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::bars::tests::{rows_of, ticks};

    const TIMES: [i64; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const PRICES: [f64; 10] = [10.0, 11.0, 12.0, 11.5, 13.0, 10.5, 9.5, 9.8, 12.5, 14.0];
    const VOLUMES: [f64; 10] = [1.0; 10];

    #[test]
    fn three_line_break_reverses_only_beyond_three_lines() {
        let lines = line_break(&ticks(&TIMES, &PRICES, &VOLUMES), 3).unwrap();
        assert_eq!(
            rows_of(&lines),
            [
                (1, 10.0, 11.0, 10.0, 11.0, 2.0),
                (3, 11.0, 12.0, 11.0, 12.0, 1.0),
                (4, 12.0, 13.0, 12.0, 13.0, 2.0),
                (6, 12.0, 12.0, 9.5, 9.5, 2.0),
                (8, 12.0, 14.0, 12.0, 14.0, 3.0),
            ]
        );
    }

    #[test]
    fn one_line_break_reverses_beyond_the_last_line() {
        let lines = line_break(&ticks(&TIMES, &PRICES, &VOLUMES), 1).unwrap();
        assert_eq!(
            rows_of(&lines),
            [
                (1, 10.0, 11.0, 10.0, 11.0, 2.0),
                (3, 11.0, 12.0, 11.0, 12.0, 1.0),
                (4, 12.0, 13.0, 12.0, 13.0, 2.0),
                (6, 12.0, 12.0, 10.5, 10.5, 1.0),
                (7, 10.5, 10.5, 9.5, 9.5, 1.0),
                (8, 10.5, 12.5, 10.5, 12.5, 2.0),
                (10, 12.5, 14.0, 12.5, 14.0, 1.0),
            ]
        );
    }

    #[test]
    fn the_window_of_extremes_forgets_old_lines() {
        let mut extremes = RecentExtremes::new(2);
        extremes.push(0, 20.0, 1.0);
        extremes.push(1, 15.0, 5.0);
        assert_eq!((extremes.high(), extremes.low()), (20.0, 1.0));
        extremes.push(2, 12.0, 6.0);
        assert_eq!((extremes.high(), extremes.low()), (15.0, 5.0));
    }

    #[test]
    fn num_lines_must_be_positive() {
        let data = ticks(&TIMES, &PRICES, &VOLUMES);
        assert!(line_break(&data, 0).is_err());
        assert!(line_break(&data, -1).is_err());
    }
}
