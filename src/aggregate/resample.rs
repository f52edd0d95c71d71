//! Time bars: OHLC(V) rows grouped into fixed, epoch-aligned windows (polars'
//! `group_by_dynamic` with its defaults: window = every, closed on the left, labelled by the
//! window start, empty windows left out).

use super::duration::Duration;
use super::rows::Rows;
use super::{highest, lowest, Bar, Bars};
use crate::errors::Result;

/// Resamples rows of `[open, high, low, close]` (N = 4) or `[open, high, low, close, volume]`
/// (N = 5) into windows of `every` (see [`super::duration`]) for timestamps counted in units of
/// `unit_nanoseconds`.
///
/// Each bar: timestamp = window start, open = first open, high = highest high, low = lowest low,
/// close = last close, volume = sum of volumes in time order (0 when N = 4).
pub fn resample<const N: usize>(
    rows: &Rows<'_, N>,
    every: &str,
    unit_nanoseconds: i64,
) -> Result<Bars> {
    const {
        assert!(N == 4 || N == 5, "resample reads OHLC or OHLCV rows");
    }
    let windows = Duration::parse(every)?.windows(every, unit_nanoseconds)?;
    let mut bars = Bars::default();
    let mut current = Bar::start(0, 0.0, 0.0);
    // End (exclusive) of the current bar's window.
    let mut current_end = i64::MIN;
    let mut has_bar = false;

    rows.for_each_chunk(|chunk| {
        let [opens, highs, lows, closes] = [0, 1, 2, 3].map(|field| chunk.columns[field]);
        let volumes = (N == 5).then(|| chunk.columns[N - 1]);
        let mut offset = 0;
        while offset < chunk.len() {
            let time = chunk.times[offset];
            let mut first = offset;
            if !(has_bar && time < current_end) {
                if has_bar {
                    bars.push(&current);
                }
                let start = windows.start_of(time);
                current_end = start.saturating_add(windows.width);
                current = Bar {
                    timestamp: start,
                    open: opens[offset],
                    high: highs[offset],
                    low: lows[offset],
                    close: closes[offset],
                    volume: volumes.map_or(0.0, |volumes| volumes[offset]),
                };
                has_bar = true;
                first += 1;
            }
            // Rows are in time order, so the window's rows in this chunk are one run, reduced a
            // column at a time. Its end is found by a forward scan, which the prefetcher keeps
            // ahead of (a bisection missed the cache at every probe); at least one row is
            // taken, since a window ending past the last representable time is cut short by
            // the saturating addition above.
            let rest = &chunk.times[offset..];
            let run = if rest.last().is_some_and(|&last| last < current_end) {
                rest.len()
            } else {
                rest.iter()
                    .position(|&time| time >= current_end)
                    .unwrap_or(rest.len())
            };
            let stop = (offset + run).max(first);
            if first < stop {
                current.high = current.high.max(highest(&highs[first..stop]));
                current.low = current.low.min(lowest(&lows[first..stop]));
                current.close = closes[stop - 1];
                if let Some(volumes) = volumes {
                    current.volume = volumes[first..stop]
                        .iter()
                        .fold(current.volume, |total, &volume| total + volume);
                }
            }
            offset = stop;
        }
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
    use crate::aggregate::bars::tests::{ohlcv_rows, price_rows, rows_of};
    use crate::aggregate::rows::Sorting;

    #[test]
    fn minutes_group_into_aligned_windows_and_empty_windows_are_skipped() {
        // Seconds: 0 and 299 in [0, 300); 300 in [300, 600); 1,000 in [900, 1200).
        let times = [299, 0, 300, 1_000];
        let open = [2.0, 1.0, 3.0, 4.0];
        let high = [5.0, 1.5, 3.5, 4.5];
        let low = [0.5, 0.9, 2.5, 3.5];
        let close = [2.5, 1.2, 3.2, 4.2];
        let volume = [10.0, 20.0, 30.0, 40.0];
        let rows = ohlcv_rows(
            &times,
            [&open, &high, &low, &close, &volume],
            Sorting::SortIfNeeded,
        );
        let bars = resample(&rows, "5m", 1_000_000_000).unwrap();
        assert_eq!(
            rows_of(&bars),
            [
                (0, 1.0, 5.0, 0.5, 2.5, 30.0),
                (300, 3.0, 3.5, 2.5, 3.2, 30.0),
                (900, 4.0, 4.5, 3.5, 4.2, 40.0),
            ]
        );
    }

    #[test]
    fn rows_at_the_last_representable_time_do_not_stall_the_pass() {
        let times = [i64::MAX - 1, i64::MAX];
        let prices = [1.0, 2.0];
        let rows = price_rows(&times, &prices);
        // Both windows are cut at i64::MAX, so each row gets its own bar; what matters is that
        // the pass ends.
        let bars = resample(&rows, "1h", 1).unwrap();
        assert_eq!(bars.len(), 2);
    }

    #[test]
    fn without_volume_the_volume_is_zero() {
        let times = [0, 1];
        let prices = [1.0, 2.0];
        let rows = price_rows(&times, &prices);
        // Hour timestamps 0 and 1 share one day.
        let bars = resample(&rows, "1d", 3_600_000_000_000).unwrap();
        assert_eq!(rows_of(&bars), [(0, 1.0, 2.0, 1.0, 2.0, 0.0)]);
        assert!(resample(&rows, "1mo", 1).is_err());
    }
}
