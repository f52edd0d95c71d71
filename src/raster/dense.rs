//! Drawing many narrow items (more than there are pixel columns) without per-item pixel work.
//!
//! When thousands of candles share each pixel column, painting every candle in turn would
//! write the same pixels over and over. Instead, each column is resolved on its own: the items
//! touching it are visited in *reverse* drawing order and each one paints only the pixels no
//! later item has painted. The final image is identical to painting front to back, but every
//! pixel is written at most once and an item costs O(1) beyond the pixels it finally owns.
//!
//! Memory stays independent of the number of items: "already painted" is one bit per image row
//! for the current column, and laid-out items are kept only while they touch the current
//! column (a sliding window).

use std::collections::VecDeque;

use crate::raster::Canvas;
use crate::style::Rgba;

/// Items laid out left to right that [`paint_columns`] can resolve column by column.
pub trait ColumnItems {
    /// One item's geometry, computed once per item.
    type Shape;

    /// Number of items.
    fn count(&self) -> usize;

    /// Inclusive range of columns item `index` may touch. Both ends must never decrease as
    /// `index` grows; items that will not be drawn still report their slot.
    fn columns(&self, index: usize) -> (i32, i32);

    /// The geometry of item `index`, or `None` if it is not drawn.
    fn shape(&self, index: usize) -> Option<Self::Shape>;

    /// Which drawing pass the item belongs to: pass 0 is drawn entirely before pass 1, and
    /// items within a pass in ascending index order.
    fn pass(&self, shape: &Self::Shape) -> usize;

    /// Calls `run(top, bottom, color)` for each vertical run (rows `top..=bottom`) that the
    /// item draws in column `x`, in *reverse* of the order the item draws them.
    fn runs(&self, shape: &Self::Shape, x: i32, run: &mut dyn FnMut(i32, i32, Rgba));
}

/// Paints `items` onto `canvas` over whatever is already there, column by column, with the
/// same result as drawing every item in pass and index order.
pub fn paint_columns<I: ColumnItems>(canvas: &mut Canvas, items: &I, passes: usize) {
    let count = items.count();
    let bottom_row = canvas.height() as i32 - 1;
    let mut painted = PaintedRows::new(canvas.height());
    // Items touching the current column, oldest first: (last column, shape).
    let mut window: VecDeque<(i32, Option<I::Shape>)> = VecDeque::new();
    let mut end = 0usize;

    for x in 0..canvas.width() as i32 {
        while window.front().is_some_and(|(last, _)| *last < x) {
            window.pop_front();
        }
        while end < count {
            let (first_column, last_column) = items.columns(end);
            if first_column > x {
                break;
            }
            if last_column >= x {
                window.push_back((last_column, items.shape(end)));
            }
            end += 1;
        }
        painted.clear();
        for pass in (0..passes).rev() {
            for (_, shape) in window.iter().rev() {
                let Some(shape) = shape else { continue };
                if items.pass(shape) != pass {
                    continue;
                }
                items.runs(shape, x, &mut |top, bottom, color| {
                    painted.paint(top.max(0), bottom.min(bottom_row), |from, to| {
                        canvas.fill_rect(x, from, x, to, color);
                    });
                });
            }
        }
    }
}

/// Rows of one column painted so far, one bit per row.
#[derive(Debug)]
struct PaintedRows {
    words: Vec<u64>,
}

impl PaintedRows {
    fn new(height: u32) -> Self {
        PaintedRows {
            words: vec![0; (height as usize).div_ceil(64)],
        }
    }

    fn clear(&mut self) {
        self.words.fill(0);
    }

    /// Calls `fill(from, to)` for every still-unpainted stretch of `top..=bottom` (rows inside
    /// the column), then marks the whole of `top..=bottom` painted.
    fn paint(&mut self, top: i32, bottom: i32, mut fill: impl FnMut(i32, i32)) {
        if top > bottom {
            return;
        }
        let (top, bottom) = (top as usize, bottom as usize);
        // A stretch of unpainted rows may continue across a word boundary.
        let mut open: Option<usize> = None;
        for word_index in top / 64..=bottom / 64 {
            let base = word_index * 64;
            let low = top.max(base) - base;
            let high = bottom.min(base + 63) - base;
            let span = if high - low == 63 {
                u64::MAX
            } else {
                ((1u64 << (high - low + 1)) - 1) << low
            };
            let mut unpainted = span & !self.words[word_index];
            self.words[word_index] |= span;
            let mut bit = low;
            while bit <= high {
                if unpainted == 0 {
                    if let Some(from) = open.take() {
                        fill(from as i32, (base + bit) as i32 - 1);
                    }
                    break;
                }
                let next_unpainted = unpainted.trailing_zeros() as usize;
                if next_unpainted > bit {
                    if let Some(from) = open.take() {
                        fill(from as i32, (base + bit) as i32 - 1);
                    }
                    bit = next_unpainted;
                }
                // A run of unpainted rows starts (or continues) at `bit`.
                let run = (!(unpainted >> bit)).trailing_zeros() as usize;
                let run_end = (bit + run).min(high + 1);
                open.get_or_insert(base + bit);
                unpainted &= if run_end >= 64 {
                    0
                } else {
                    !((1u64 << run_end) - 1)
                };
                if run_end <= high {
                    if let Some(from) = open.take() {
                        fill(from as i32, (base + run_end) as i32 - 1);
                    }
                }
                bit = run_end;
            }
        }
        if let Some(from) = open {
            fill(from as i32, bottom as i32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paint(rows: &mut PaintedRows, top: i32, bottom: i32) -> Vec<(i32, i32)> {
        let mut filled = Vec::new();
        rows.paint(top, bottom, |from, to| filled.push((from, to)));
        filled
    }

    #[test]
    fn only_unpainted_stretches_are_filled() {
        let mut rows = PaintedRows::new(200);
        assert_eq!(paint(&mut rows, 10, 20), vec![(10, 20)]);
        assert_eq!(paint(&mut rows, 30, 140), vec![(30, 140)]);
        assert_eq!(paint(&mut rows, 5, 145), vec![(5, 9), (21, 29), (141, 145)]);
        assert_eq!(paint(&mut rows, 0, 199), vec![(0, 4), (146, 199)]);
        assert!(paint(&mut rows, 7, 190).is_empty());
        rows.clear();
        assert_eq!(paint(&mut rows, 63, 64), vec![(63, 64)]);
        assert_eq!(paint(&mut rows, 0, 127), vec![(0, 62), (65, 127)]);
        rows.clear();
        assert_eq!(paint(&mut rows, 150, 199), vec![(150, 199)]);
        assert_eq!(paint(&mut rows, 160, 199), vec![]);
        assert_eq!(paint(&mut rows, 100, 170), vec![(100, 149)]);
        assert_eq!(paint(&mut rows, 90, 199), vec![(90, 99)]);
    }

    #[test]
    fn painting_matches_a_row_by_row_model() {
        let mut state = 12345u64;
        let mut next = move |limit: i32| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % limit as u64) as i32
        };
        for _ in 0..500 {
            let mut rows = PaintedRows::new(200);
            let mut model = [false; 200];
            for _ in 0..12 {
                let (a, b) = (next(200), next(200));
                let (top, bottom) = (a.min(b), a.max(b));
                let mut filled = [false; 200];
                rows.paint(top, bottom, |from, to| {
                    for row in from..=to {
                        assert!(!filled[row as usize] && !model[row as usize]);
                        filled[row as usize] = true;
                    }
                });
                for row in top..=bottom {
                    assert!(model[row as usize] || filled[row as usize]);
                    model[row as usize] = true;
                }
            }
        }
    }
}
