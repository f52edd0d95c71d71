//! Renko bricks: fixed-size boxes that only appear when the price has moved a whole box.
//!
//! Starting from the first close, each row first tries to extend upward (from its high), and
//! only when that does not happen downward (from its low). A move against the current
//! direction needs `reversal_boxes` whole boxes. A brick's price is the reference price after
//! it was added, so an up brick's price is its top and a down brick's its bottom. Prices are
//! accumulated by repeated addition, as in the original, so they drift exactly as its did.

use super::atr::{average_true_range, median, ATR_PERIOD};
use super::{check_box_size, check_reversal_boxes, check_room, whole_boxes, PriceRows};
use crate::errors::{Error, Result};
use crate::input::Column;

/// Share of the median ATR used as the automatic Renko box size.
pub const AUTOMATIC_BOX_SHARE: f64 = 0.75;

/// Which way the price moved to make a brick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A rising brick.
    Up,
    /// A falling brick.
    Down,
}

impl Direction {
    /// `1` for up, `-1` for down, as the original's dictionaries hold it.
    pub fn sign(self) -> i32 {
        match self {
            Direction::Up => 1,
            Direction::Down => -1,
        }
    }
}

/// One Renko brick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Brick {
    /// Top of an up brick, bottom of a down brick.
    pub price: f64,
    /// Which way it moved.
    pub direction: Direction,
}

/// The bricks of `high`, `low` and `close` for `box_size` (automatic when `None`) and a
/// reversal of `reversal_boxes` (1..=10) boxes.
///
/// Empty input gives no bricks. Fails when a column length differs, when `box_size` is not a
/// positive finite number, when `reversal_boxes` is outside 1..=10, when the automatic box size
/// cannot be computed (fewer than 14 rows, or a flat or NaN average true range), or when the box
/// size would make more than [`MAX_BOXES`](super::MAX_BOXES) bricks.
pub fn renko_bricks<'a>(
    high: &Column<'a>,
    low: &Column<'a>,
    close: &Column<'a>,
    box_size: Option<f64>,
    reversal_boxes: i64,
) -> Result<Vec<Brick>> {
    let rows = PriceRows::new(high, low, close)?;
    let reversal_boxes = check_reversal_boxes(reversal_boxes)?;
    if let Some(explicit) = box_size {
        check_box_size(explicit)?;
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let box_size = resolve_box_size(&rows, box_size)?;
    build_bricks(&rows, box_size, reversal_boxes)
}

/// `box_size` when given (checked), else the automatic size `0.75 * median(ATR-14)`.
pub fn resolve_box_size(rows: &PriceRows<'_>, box_size: Option<f64>) -> Result<f64> {
    match box_size {
        Some(explicit) => check_box_size(explicit),
        None => automatic_box_size(rows),
    }
}

/// `0.75 * median(ATR-14)`, the box size the original picked when none was given.
pub fn automatic_box_size(rows: &PriceRows<'_>) -> Result<f64> {
    if rows.len() < ATR_PERIOD {
        return Err(Error::invalid(format!(
            "box_size=None needs at least {ATR_PERIOD} rows to compute the automatic box size \
             from the average true range, got {}; pass box_size explicitly.",
            rows.len()
        )));
    }
    let mut averages = average_true_range(rows, ATR_PERIOD)?;
    let box_size = median(&mut averages) * AUTOMATIC_BOX_SHARE;
    if box_size.is_finite() && box_size > 0.0 {
        Ok(box_size)
    } else {
        Err(Error::invalid(format!(
            "box_size=None gives an automatic box size of {box_size} (the data is flat or \
             contains NaN); pass box_size explicitly."
        )))
    }
}

/// The bricks for an already checked `box_size` and `reversal_boxes`.
pub fn build_bricks(
    rows: &PriceRows<'_>,
    box_size: f64,
    reversal_boxes: u32,
) -> Result<Vec<Brick>> {
    let mut bricks = Vec::new();
    if rows.is_empty() {
        return Ok(bricks);
    }
    let mut reference = rows.close.get(0);
    let mut direction: Option<Direction> = None;

    for index in 0..rows.len() {
        let rise = rows.high.get(index) - reference;
        if rise >= box_size {
            let count = whole_boxes(rise, box_size);
            if !is_weak_reversal(direction, Direction::Up, count, reversal_boxes) {
                check_room(count, bricks.len(), box_size)?;
                add_bricks(&mut bricks, &mut reference, count, box_size, Direction::Up);
                direction = Some(Direction::Up);
                // A row that made up bricks is not checked for down bricks.
                continue;
            }
        }
        let fall = reference - rows.low.get(index);
        if fall >= box_size {
            let count = whole_boxes(fall, box_size);
            if !is_weak_reversal(direction, Direction::Down, count, reversal_boxes) {
                check_room(count, bricks.len(), box_size)?;
                add_bricks(
                    &mut bricks,
                    &mut reference,
                    count,
                    box_size,
                    Direction::Down,
                );
                direction = Some(Direction::Down);
            }
        }
    }
    Ok(bricks)
}

/// Whether a move of `count` boxes toward `toward` turns the trend with too few boxes.
fn is_weak_reversal(
    current: Option<Direction>,
    toward: Direction,
    count: usize,
    reversal_boxes: u32,
) -> bool {
    current.is_some_and(|current| current != toward) && count < reversal_boxes as usize
}

fn add_bricks(
    bricks: &mut Vec<Brick>,
    reference: &mut f64,
    count: usize,
    box_size: f64,
    direction: Direction,
) {
    for _ in 0..count {
        match direction {
            Direction::Up => *reference += box_size,
            Direction::Down => *reference -= box_size,
        }
        bricks.push(Brick {
            price: *reference,
            direction,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bricks(
        high: &[f64],
        low: &[f64],
        close: &[f64],
        box_size: Option<f64>,
        reversal: i64,
    ) -> Result<Vec<Brick>> {
        let (high, low, close) = (
            Column::from_slice(high),
            Column::from_slice(low),
            Column::from_slice(close),
        );
        renko_bricks(&high, &low, &close, box_size, reversal)
    }

    fn summary(bricks: &[Brick]) -> Vec<(f64, i32)> {
        bricks
            .iter()
            .map(|brick| (brick.price, brick.direction.sign()))
            .collect()
    }

    #[test]
    fn up_bricks_then_a_reversal() {
        // The worked example of the original's documentation, box 2.
        let result = bricks(
            &[101.0, 104.0, 106.0, 104.0],
            &[99.0, 101.0, 104.0, 102.0],
            &[100.0, 103.0, 105.0, 102.0],
            Some(2.0),
            1,
        )
        .unwrap();
        assert_eq!(
            summary(&result),
            vec![(102.0, 1), (104.0, 1), (106.0, 1), (104.0, -1), (102.0, -1)]
        );
    }

    #[test]
    fn a_reversal_needs_the_given_number_of_boxes() {
        let high = [100.0, 103.0, 103.0, 103.0];
        let low = [100.0, 103.0, 101.5, 99.0];
        let close = [100.0, 103.0, 102.0, 100.0];
        // Up 3 bricks to 103; a fall of 1.5 is one box, not enough for a 2-box reversal;
        // a fall of 4 is.
        let result = bricks(&high, &low, &close, Some(1.0), 2).unwrap();
        assert_eq!(
            summary(&result),
            vec![
                (101.0, 1),
                (102.0, 1),
                (103.0, 1),
                (102.0, -1),
                (101.0, -1),
                (100.0, -1),
                (99.0, -1)
            ]
        );
    }

    #[test]
    fn empty_input_has_no_bricks_even_with_an_automatic_box() {
        assert!(bricks(&[], &[], &[], None, 1).unwrap().is_empty());
    }

    #[test]
    fn automatic_box_needs_fourteen_rows() {
        let five = [1.0, 2.0, 3.0, 4.0, 5.0];
        let message = bricks(&five, &five, &five, None, 1)
            .unwrap_err()
            .to_string();
        assert!(message.contains("at least 14 rows"), "{message}");
        assert!(message.contains("got 5"), "{message}");
    }

    #[test]
    fn flat_data_has_no_automatic_box() {
        let flat = [7.0; 20];
        let message = bricks(&flat, &flat, &flat, None, 1)
            .unwrap_err()
            .to_string();
        assert!(message.contains("automatic box size of 0"), "{message}");
    }

    #[test]
    fn bad_arguments_are_rejected_before_any_work() {
        let one = [1.0];
        assert!(bricks(&one, &one, &one, Some(0.0), 1).is_err());
        assert!(bricks(&one, &one, &one, Some(f64::NAN), 1).is_err());
        assert!(bricks(&one, &one, &one, Some(1.0), 0).is_err());
        assert!(bricks(&one, &[1.0, 2.0], &one, Some(1.0), 1).is_err());
    }

    #[test]
    fn tiny_boxes_are_refused_instead_of_filling_memory() {
        let message = bricks(&[1.0, 1e9], &[1.0, 1.0], &[1.0, 1.0], Some(1e-6), 1)
            .unwrap_err()
            .to_string();
        assert!(message.contains("too small"), "{message}");
    }
}
