//! Transform stage: turns price rows into the items that Renko and Point & Figure charts draw.
//!
//! Renko bricks ([`renko`]) and Point & Figure columns ([`pnf`]) are built here from borrowed
//! high, low and close columns, with the automatic box sizes of [`atr`]. Every function is pure:
//! it reads the caller's columns in place, never copies them, never draws and never touches
//! Python. Results equal the original library's exactly, float for float, because they are
//! computed with the same operations in the same order.
//!
//! Where the original failed with an unhelpful error (division by zero, an index error on empty
//! input, a hang on a tiny box size) these functions return an [`Error`](crate::errors::Error)
//! that names the argument and its value instead.

pub mod atr;
pub mod pnf;
pub mod renko;

use crate::errors::{Error, Result};
use crate::input::Column;

/// Smallest accepted reversal count.
pub const MIN_REVERSAL_BOXES: i64 = 1;
/// Largest accepted reversal count.
pub const MAX_REVERSAL_BOXES: i64 = 10;
/// Most bricks or boxes one call may produce. A box size far smaller than the price moves
/// would otherwise fill all memory (the original hung); real charts stay far below this.
pub const MAX_BOXES: usize = 10_000_000;

/// The high, low and close columns a transform reads, checked to have one common length.
///
/// Holds the views themselves (a pointer, a length and a stride each), never the values.
#[derive(Debug, Clone)]
pub struct PriceRows<'a> {
    /// Highest prices.
    pub high: Column<'a>,
    /// Lowest prices.
    pub low: Column<'a>,
    /// Closing prices.
    pub close: Column<'a>,
}

impl<'a> PriceRows<'a> {
    /// Checks that `low` and `close` have as many values as `high`. Empty columns are allowed.
    pub fn new(high: &Column<'a>, low: &Column<'a>, close: &Column<'a>) -> Result<Self> {
        let expected = high.len();
        for (name, column) in [("low", low), ("close", close)] {
            if column.len() != expected {
                return Err(Error::data(format!(
                    "{name} has {} values but high has {expected}.",
                    column.len()
                )));
            }
        }
        Ok(PriceRows {
            high: high.clone(),
            low: low.clone(),
            close: close.clone(),
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.high.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.high.is_empty()
    }
}

/// Checks an explicit box size: a finite number above zero.
pub fn check_box_size(box_size: f64) -> Result<f64> {
    if box_size.is_finite() && box_size > 0.0 {
        Ok(box_size)
    } else {
        Err(Error::invalid(format!(
            "box_size must be a positive number, got {box_size}."
        )))
    }
}

/// Checks a reversal count against 1..=10.
pub fn check_reversal_boxes(reversal_boxes: i64) -> Result<u32> {
    if (MIN_REVERSAL_BOXES..=MAX_REVERSAL_BOXES).contains(&reversal_boxes) {
        Ok(reversal_boxes as u32)
    } else {
        Err(Error::invalid(format!(
            "reversal_boxes must be between {MIN_REVERSAL_BOXES} and {MAX_REVERSAL_BOXES}, \
             got {reversal_boxes}."
        )))
    }
}

/// Number of whole boxes in `distance`, truncated toward zero like Python's `int()`; zero for
/// negative or NaN distances, and saturating (then refused by [`check_room`]) for huge ones.
fn whole_boxes(distance: f64, box_size: f64) -> usize {
    let count = distance / box_size;
    if count > 0.0 {
        count as usize
    } else {
        0
    }
}

/// Fails when adding `count` boxes to the `produced` so far would pass [`MAX_BOXES`].
fn check_room(count: usize, produced: usize, box_size: f64) -> Result<()> {
    if count > MAX_BOXES.saturating_sub(produced) {
        return Err(Error::invalid(format!(
            "box_size {box_size} is too small for these prices: it would make more than \
             {MAX_BOXES} boxes."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_box_sizes_name_the_value() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let message = check_box_size(bad).unwrap_err().to_string();
            assert!(
                message.starts_with("box_size must be a positive number, got "),
                "{message}"
            );
        }
        assert_eq!(check_box_size(0.25).unwrap(), 0.25);
    }

    #[test]
    fn reversal_boxes_outside_one_to_ten_are_rejected() {
        assert_eq!(
            check_reversal_boxes(0).unwrap_err().to_string(),
            "reversal_boxes must be between 1 and 10, got 0."
        );
        assert!(check_reversal_boxes(11).is_err());
        assert_eq!(check_reversal_boxes(10).unwrap(), 10);
    }

    #[test]
    fn mismatched_lengths_name_the_column() {
        let three = [1.0, 2.0, 3.0];
        let two = [1.0, 2.0];
        let (high, low) = (Column::from_slice(&three), Column::from_slice(&two));
        let error = PriceRows::new(&high, &low, &high).unwrap_err();
        assert_eq!(error.to_string(), "low has 2 values but high has 3.");
    }

    #[test]
    fn box_counts_truncate_and_are_capped() {
        assert_eq!(whole_boxes(2.9, 1.0), 2);
        assert_eq!(whole_boxes(-3.0, 1.0), 0);
        assert_eq!(whole_boxes(f64::NAN, 1.0), 0);
        assert!(check_room(whole_boxes(f64::INFINITY, 1.0), 0, 1.0).is_err());
        assert!(check_room(2, MAX_BOXES - 1, 1.0).is_err());
        assert!(check_room(1, MAX_BOXES - 1, 1.0).is_ok());
    }
}
