//! Point & Figure columns: alternating columns of rising X boxes and falling O boxes.
//!
//! The reference price starts at the first close rounded to a whole box (ties to even, as
//! Python's `round`). Each row counts the whole boxes its high rose above, and its low fell
//! below, the reference. A column keeps growing in its own direction by any number of boxes,
//! turns when the opposite move reaches `reversal_boxes`, and a rise wins when both apply. The
//! first column is an X column after any rise, but an O column only after a full reversal.

use super::atr::{average_true_range, median, ATR_PERIOD};
use super::{check_box_size, check_reversal_boxes, check_room, whole_boxes, PriceRows};
use crate::errors::{Error, Result};
use crate::input::Column;

/// Share of the price range used as the automatic box size when there are too few rows for
/// the ATR.
pub const SHORT_INPUT_BOX_SHARE: f64 = 0.01;

/// What a column is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Rising boxes, drawn as crosses.
    X,
    /// Falling boxes, drawn as circles.
    O,
}

impl ColumnKind {
    /// `"X"` or `"O"`, as the original's dictionaries hold it.
    pub fn letter(self) -> &'static str {
        match self {
            ColumnKind::X => "X",
            ColumnKind::O => "O",
        }
    }
}

/// One Point & Figure column.
#[derive(Debug, Clone, PartialEq)]
pub struct PnfColumn {
    /// X (rising) or O (falling).
    pub kind: ColumnKind,
    /// Box prices in the order they were added: ascending for X, descending for O.
    pub boxes: Vec<f64>,
    /// Row that started the column.
    pub start_idx: usize,
}

/// The columns of `high`, `low` and `close` for `box_size` (automatic when `None`) and a
/// reversal of `reversal_boxes` (1..=10) boxes.
///
/// Empty input gives no columns (the original raised `IndexError`). Fails when a column length
/// differs, when `box_size` is not a positive finite number (the original divided by zero or
/// returned nothing), when `reversal_boxes` is outside 1..=10, when the automatic box size is
/// zero or NaN, or when the box size would make more than [`MAX_BOXES`](super::MAX_BOXES)
/// boxes.
pub fn pnf_columns<'a>(
    high: &Column<'a>,
    low: &Column<'a>,
    close: &Column<'a>,
    box_size: Option<f64>,
    reversal_boxes: i64,
) -> Result<Vec<PnfColumn>> {
    let rows = PriceRows::new(high, low, close)?;
    let reversal_boxes = check_reversal_boxes(reversal_boxes)?;
    if let Some(explicit) = box_size {
        check_box_size(explicit)?;
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let box_size = resolve_box_size(&rows, box_size)?;
    build_columns(&rows, box_size, reversal_boxes)
}

/// `box_size` when given (checked), else the automatic size of [`automatic_box_size`].
pub fn resolve_box_size(rows: &PriceRows<'_>, box_size: Option<f64>) -> Result<f64> {
    match box_size {
        Some(explicit) => check_box_size(explicit),
        None => automatic_box_size(rows),
    }
}

/// The median ATR-14 from 14 rows on; for shorter input 1 % of `max(high) - min(low)`, or 1
/// when that range is 0.
pub fn automatic_box_size(rows: &PriceRows<'_>) -> Result<f64> {
    let box_size = if rows.len() >= ATR_PERIOD {
        median(&mut average_true_range(rows, ATR_PERIOD)?)
    } else {
        let range = nan_max(&rows.high) - nan_min(&rows.low);
        if range != 0.0 {
            range * SHORT_INPUT_BOX_SHARE
        } else {
            1.0
        }
    };
    if box_size.is_finite() && box_size > 0.0 {
        Ok(box_size)
    } else {
        Err(Error::invalid(format!(
            "box_size=None gives an automatic box size of {box_size} (the data is flat or \
             contains NaN); pass box_size explicitly."
        )))
    }
}

/// Largest value, NaN if any value is NaN (numpy's `max`).
fn nan_max(column: &Column<'_>) -> f64 {
    let mut max = f64::NEG_INFINITY;
    column.for_each(|_, value| {
        max = if value.is_nan() || max.is_nan() {
            f64::NAN
        } else {
            max.max(value)
        }
    });
    max
}

/// Smallest value, NaN if any value is NaN (numpy's `min`).
fn nan_min(column: &Column<'_>) -> f64 {
    let mut min = f64::INFINITY;
    column.for_each(|_, value| {
        min = if value.is_nan() || min.is_nan() {
            f64::NAN
        } else {
            min.min(value)
        }
    });
    min
}

/// The columns for an already checked `box_size` and `reversal_boxes`.
pub fn build_columns(
    rows: &PriceRows<'_>,
    box_size: f64,
    reversal_boxes: u32,
) -> Result<Vec<PnfColumn>> {
    let mut columns = Vec::new();
    if rows.is_empty() {
        return Ok(columns);
    }
    let reversal = reversal_boxes as usize;
    let mut builder = Builder {
        box_size,
        reference: (rows.close.get(0) / box_size).round_ties_even() * box_size,
        produced: 0,
    };
    let mut current: Option<PnfColumn> = None;

    for index in 0..rows.len() {
        let rise = whole_boxes(rows.high.get(index) - builder.reference, box_size);
        let fall = whole_boxes(builder.reference - rows.low.get(index), box_size);
        let kind = current.as_ref().map_or(ColumnKind::X, |column| column.kind);
        let (onward, backward, turned) = match kind {
            ColumnKind::X => (rise, fall, ColumnKind::O),
            ColumnKind::O => (fall, rise, ColumnKind::X),
        };
        // With no column yet `kind` is X: any rise starts an X column, a full fall an O one.
        if onward > 0 {
            let column = current.get_or_insert_with(|| PnfColumn {
                kind,
                boxes: Vec::new(),
                start_idx: index,
            });
            builder.extend(column, onward)?;
        } else if backward >= reversal {
            let previous = current.take();
            current = Some(builder.turn(&mut columns, previous, turned, index, backward)?);
        }
    }
    if let Some(last) = current.filter(|column| !column.boxes.is_empty()) {
        columns.push(last);
    }
    Ok(columns)
}

/// The moving reference price and the running box count.
struct Builder {
    box_size: f64,
    reference: f64,
    produced: usize,
}

impl Builder {
    /// Adds `count` boxes to `column` in its own direction, moving the reference with them.
    fn extend(&mut self, column: &mut PnfColumn, count: usize) -> Result<()> {
        check_room(count, self.produced, self.box_size)?;
        self.produced += count;
        column.boxes.reserve(count);
        for _ in 0..count {
            match column.kind {
                ColumnKind::X => self.reference += self.box_size,
                ColumnKind::O => self.reference -= self.box_size,
            }
            column.boxes.push(self.reference);
        }
        Ok(())
    }

    /// Closes `previous` (kept only if it has boxes) and starts a `kind` column at row `index`
    /// with `count` boxes.
    ///
    /// The original reset the reference to the last box of the last closed column here; that
    /// box is always the reference already, so nothing is reset.
    fn turn(
        &mut self,
        columns: &mut Vec<PnfColumn>,
        previous: Option<PnfColumn>,
        kind: ColumnKind,
        index: usize,
        count: usize,
    ) -> Result<PnfColumn> {
        if let Some(previous) = previous.filter(|column| !column.boxes.is_empty()) {
            columns.push(previous);
        }
        let mut column = PnfColumn {
            kind,
            boxes: Vec::new(),
            start_idx: index,
        };
        self.extend(&mut column, count)?;
        Ok(column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(
        high: &[f64],
        low: &[f64],
        close: &[f64],
        box_size: Option<f64>,
        reversal: i64,
    ) -> Result<Vec<PnfColumn>> {
        let (high, low, close) = (
            Column::from_slice(high),
            Column::from_slice(low),
            Column::from_slice(close),
        );
        pnf_columns(&high, &low, &close, box_size, reversal)
    }

    #[test]
    fn documented_example_alternates_x_o_x() {
        let close = [
            100.0, 101.0, 103.0, 106.0, 104.0, 101.0, 99.0, 100.0, 103.0, 107.0,
        ];
        let high: Vec<f64> = close.iter().map(|c| c + 0.5).collect();
        let low: Vec<f64> = close.iter().map(|c| c - 0.5).collect();
        let result = columns(&high, &low, &close, Some(1.0), 3).unwrap();

        assert_eq!(result.len(), 3);
        assert_eq!(result[0].kind, ColumnKind::X);
        assert_eq!(
            result[0].boxes,
            vec![101.0, 102.0, 103.0, 104.0, 105.0, 106.0]
        );
        assert_eq!(result[0].start_idx, 1);
        assert_eq!(result[1].kind, ColumnKind::O);
        assert_eq!(
            result[1].boxes,
            vec![105.0, 104.0, 103.0, 102.0, 101.0, 100.0, 99.0]
        );
        assert_eq!(result[1].start_idx, 5);
        assert_eq!(result[2].kind, ColumnKind::X);
        assert_eq!(
            result[2].boxes,
            (100..=107).map(f64::from).collect::<Vec<_>>()
        );
        assert_eq!(result[2].start_idx, 8);
    }

    #[test]
    fn first_column_falls_only_after_a_full_reversal() {
        let close = [100.0, 99.0, 97.0];
        let high = close;
        let low = close;
        // A fall of 1 box is ignored; a fall of 3 boxes starts an O column.
        let result = columns(&high, &low, &close, Some(1.0), 3).unwrap();
        assert_eq!(result.len(), 1);
        assert_eq!(result[0].kind, ColumnKind::O);
        assert_eq!(result[0].boxes, vec![99.0, 98.0, 97.0]);
        assert_eq!(result[0].start_idx, 2);
    }

    #[test]
    fn reference_starts_at_the_close_rounded_half_to_even() {
        // 2.5 boxes rounds to 2, so the reference is 2.0 and a high of 3.0 is one box up.
        let result = columns(&[3.0], &[3.0], &[2.5], Some(1.0), 3).unwrap();
        assert_eq!(result[0].boxes, vec![3.0]);
    }

    #[test]
    fn empty_input_has_no_columns() {
        assert!(columns(&[], &[], &[], None, 3).unwrap().is_empty());
    }

    #[test]
    fn short_input_uses_one_percent_of_the_range() {
        let (high, low, close) = ([110.0, 120.0], [100.0, 105.0], [105.0, 119.0]);
        let (h, l, c) = (
            Column::from_slice(&high),
            Column::from_slice(&low),
            Column::from_slice(&close),
        );
        let rows = PriceRows::new(&h, &l, &c).unwrap();
        assert_eq!(automatic_box_size(&rows).unwrap(), 20.0 * 0.01);
        let flat = [5.0, 5.0];
        let f = Column::from_slice(&flat);
        assert_eq!(
            automatic_box_size(&PriceRows::new(&f, &f, &f).unwrap()).unwrap(),
            1.0
        );
    }

    #[test]
    fn bad_arguments_are_errors_not_crashes() {
        let one = [1.0];
        assert!(columns(&one, &one, &one, Some(0.0), 3).is_err());
        assert!(columns(&one, &one, &one, Some(-1.0), 3).is_err());
        assert!(columns(&one, &one, &one, Some(1.0), 11).is_err());
        let message = columns(&[1.0, 1e12], &[1.0, 1.0], &[1.0, 1.0], Some(1e-3), 3)
            .unwrap_err()
            .to_string();
        assert!(message.contains("too small"), "{message}");
    }

    #[test]
    fn nan_rows_add_no_boxes() {
        let result = columns(
            &[100.0, f64::NAN, 102.0],
            &[100.0, f64::NAN, 102.0],
            &[100.0; 3],
            Some(1.0),
            3,
        )
        .unwrap();
        assert_eq!(result.len(), 1);
        assert_eq!(result[0].boxes, vec![101.0, 102.0]);
        assert_eq!(result[0].start_idx, 2);
    }
}
