//! Durations written in polars' notation ("30s", "5m", "1h30m", "1d", "2w") and the
//! epoch-aligned windows polars' `group_by_dynamic` puts timestamps in.
//!
//! Only fixed-length units are understood: ns, us (or µs), ms, s, m, h, d, w. Calendar units
//! (mo, q, y) have no fixed length and the index unit (i) does not apply to timestamps; both
//! are refused with a clear error. As in polars, weeks, days and shorter units cannot be mixed
//! in one duration ("1d12h" must be written "36h").
//!
//! Windows: a timestamp `t` falls in the window starting at `t - (t - origin) mod width`,
//! where the origin is the Unix epoch, except for weeks, whose windows start on Mondays
//! (1970-01-05, four days after the epoch). This is what polars does for timestamps without a
//! time zone.

use crate::errors::{Error, Result};

const NANOS_PER_DAY: i64 = 86_400_000_000_000;
const NANOS_PER_WEEK: i64 = 7 * NANOS_PER_DAY;
/// The first Monday after the Unix epoch, where polars starts counting weeks.
const WEEK_ORIGIN_NANOS: i64 = 4 * NANOS_PER_DAY;

/// A parsed duration, split like polars splits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration {
    /// Whole weeks.
    pub weeks: i64,
    /// Whole days.
    pub days: i64,
    /// Everything shorter than a day, in nanoseconds.
    pub nanoseconds: i64,
}

/// Fixed windows in the unit of some timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// Window length, in timestamp units.
    pub width: i64,
    /// A timestamp at which some window starts, in timestamp units.
    pub origin: i64,
}

impl Duration {
    /// Parses `text` such as "5m", "90s", "1h30m" or "2w".
    pub fn parse(text: &str) -> Result<Duration> {
        let invalid = |why: &str| {
            Error::invalid(format!(
                "timeframe {text:?} is not a duration{why}; write a whole number and a unit, \
                 such as '30s', '5m', '1h30m', '1d' or '1w' (units: ns, us, ms, s, m, h, d, w)."
            ))
        };
        if text.starts_with('-') {
            return Err(Error::invalid(format!(
                "timeframe must be a positive duration, got {text:?}."
            )));
        }
        let mut duration = Duration {
            weeks: 0,
            days: 0,
            nanoseconds: 0,
        };
        let mut rest = text;
        if rest.is_empty() {
            return Err(invalid(""));
        }
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if digits == 0 {
                return Err(invalid(""));
            }
            let count: i64 = rest[..digits]
                .parse()
                .map_err(|_| invalid(" (the number is too large)"))?;
            rest = &rest[digits..];
            let unit_length = rest
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(rest.len());
            let unit = &rest[..unit_length];
            rest = &rest[unit_length..];
            duration
                .add(count, unit, text)
                .map_err(|error| match error {
                    Some(error) => error,
                    None => invalid(" (the number is too large)"),
                })?;
        }

        let kinds = [duration.weeks, duration.days, duration.nanoseconds]
            .iter()
            .filter(|&&part| part != 0)
            .count();
        if kinds == 0 {
            return Err(Error::invalid(format!(
                "timeframe must be a positive duration, got {text:?}."
            )));
        }
        if kinds > 1 {
            return Err(Error::invalid(format!(
                "timeframe {text:?} mixes weeks, days and shorter units, which windows cannot \
                 be aligned to; write it in one unit (for example '36h' instead of '1d12h')."
            )));
        }
        Ok(duration)
    }

    /// Adds `count` `unit`s; `Err(None)` means the total overflowed.
    fn add(
        &mut self,
        count: i64,
        unit: &str,
        text: &str,
    ) -> std::result::Result<(), Option<Error>> {
        let nanos_per_unit = match unit {
            "ns" => 1,
            "us" | "µs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "d" => {
                self.days = self.days.checked_add(count).ok_or(None)?;
                return Ok(());
            }
            "w" => {
                self.weeks = self.weeks.checked_add(count).ok_or(None)?;
                return Ok(());
            }
            "mo" | "q" | "y" => {
                return Err(Some(Error::NotSupported(format!(
                    "timeframe {text:?} uses the calendar unit '{unit}', whose length varies; \
                     only fixed units are supported (ns, us, ms, s, m, h, d, w)."
                ))))
            }
            "i" => {
                return Err(Some(Error::NotSupported(format!(
                    "timeframe {text:?} counts rows ('i'), which does not apply to timestamps; \
                     use tick_to_ohlc for bars of a fixed number of rows."
                ))))
            }
            _ => {
                return Err(Some(Error::invalid(format!(
                    "timeframe {text:?} has the unknown unit {unit:?}; units are ns, us, ms, s, \
                     m, h, d and w."
                ))))
            }
        };
        let nanos = count.checked_mul(nanos_per_unit).ok_or(None)?;
        self.nanoseconds = self.nanoseconds.checked_add(nanos).ok_or(None)?;
        Ok(())
    }

    /// The windows of this duration for timestamps counted in units of `unit_nanoseconds`.
    ///
    /// Errors when the duration (or the Monday origin of weeks) is not a whole number of units,
    /// for example "500us" on millisecond timestamps.
    pub fn windows(&self, text: &str, unit_nanoseconds: i64) -> Result<Windows> {
        if unit_nanoseconds <= 0 {
            return Err(Error::invalid(format!(
                "The timestamp unit must be a positive number of nanoseconds, got \
                 {unit_nanoseconds}."
            )));
        }
        let total = self
            .weeks
            .checked_mul(NANOS_PER_WEEK)
            .and_then(|weeks| weeks.checked_add(self.days.checked_mul(NANOS_PER_DAY)?))
            .and_then(|long| long.checked_add(self.nanoseconds))
            .ok_or_else(|| Error::invalid(format!("timeframe {text:?} is too long.")))?;
        let origin = if self.weeks > 0 { WEEK_ORIGIN_NANOS } else { 0 };
        if total % unit_nanoseconds != 0 || origin % unit_nanoseconds != 0 {
            return Err(Error::invalid(format!(
                "timeframe {text:?} is not a whole number of the timestamps' unit \
                 ({unit_nanoseconds} ns)."
            )));
        }
        Ok(Windows {
            width: total / unit_nanoseconds,
            origin: origin / unit_nanoseconds,
        })
    }
}

impl Windows {
    /// Start of the window holding `time`.
    #[inline]
    pub fn start_of(&self, time: i64) -> i64 {
        // i128 so that no timestamp can overflow; a start before the earliest representable
        // time (only for timestamps within one window of year -292 billion) is clamped.
        let offset = (time as i128 - self.origin as i128).rem_euclid(self.width as i128);
        i64::try_from(time as i128 - offset).unwrap_or(i64::MIN + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nanos(text: &str) -> i64 {
        Duration::parse(text)
            .unwrap()
            .windows(text, 1)
            .unwrap()
            .width
    }

    #[test]
    fn fixed_units_and_compounds_parse() {
        assert_eq!(nanos("30s"), 30_000_000_000);
        assert_eq!(nanos("7m"), 420_000_000_000);
        assert_eq!(nanos("1h30m"), 5_400_000_000_000);
        assert_eq!(nanos("2h"), 7_200_000_000_000);
        assert_eq!(nanos("250ms"), 250_000_000);
        assert_eq!(nanos("3us"), 3_000);
        assert_eq!(nanos("3µs"), 3_000);
        assert_eq!(nanos("1d"), NANOS_PER_DAY);
        assert_eq!(nanos("1w"), NANOS_PER_WEEK);
    }

    #[test]
    fn bad_durations_are_refused_with_the_reason() {
        for (text, reason) in [
            ("", "not a duration"),
            ("m", "not a duration"),
            ("5", "unknown unit \"\""),
            ("5x", "unknown unit"),
            ("-5m", "positive"),
            ("0m", "positive"),
            ("1d12h", "mixes"),
            ("1w1d", "mixes"),
            ("99999999999999999999s", "too large"),
            ("9999999999999h", "too large"),
        ] {
            let error = Duration::parse(text).unwrap_err().to_string();
            assert!(error.contains(reason), "{text:?}: {error}");
        }
        let calendar = Duration::parse("1mo").unwrap_err();
        assert!(matches!(calendar, Error::NotSupported(_)));
        assert!(matches!(
            Duration::parse("3i").unwrap_err(),
            Error::NotSupported(_)
        ));
    }

    #[test]
    fn durations_must_fit_the_timestamp_unit() {
        let millis = 1_000_000;
        assert_eq!(
            Duration::parse("5m")
                .unwrap()
                .windows("5m", millis)
                .unwrap(),
            Windows {
                width: 300_000,
                origin: 0
            }
        );
        assert!(Duration::parse("500us")
            .unwrap()
            .windows("500us", millis)
            .is_err());
    }

    #[test]
    fn windows_align_to_the_epoch_and_weeks_to_mondays() {
        let minutes = Duration::parse("7m")
            .unwrap()
            .windows("7m", 1_000_000_000)
            .unwrap();
        // 1970-01-03 23:59:00 starts a 7-minute window: 4,319 minutes is 617 * 7.
        assert_eq!(minutes.start_of(3 * 86_400 + 60), 3 * 86_400 - 60);
        assert_eq!(minutes.start_of(-1), -420);

        let days = Duration::parse("1d")
            .unwrap()
            .windows("1d", NANOS_PER_DAY)
            .unwrap();
        assert_eq!(days.start_of(-3), -3);

        let week = Duration::parse("1w")
            .unwrap()
            .windows("1w", 1_000_000_000)
            .unwrap();
        // Thursday 1970-01-01 belongs to the week of Monday 1969-12-29.
        assert_eq!(week.start_of(0), -3 * 86_400);
        let fortnight = Duration::parse("2w")
            .unwrap()
            .windows("2w", 1_000_000_000)
            .unwrap();
        assert_eq!(fortnight.start_of(0), -10 * 86_400);
    }
}
