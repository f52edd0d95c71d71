//! Drawing many narrow items (more than there are pixel columns) without per-item pixel work.
//!
//! When thousands of candles share each pixel column, painting every candle in turn would
//! write the same pixels over and over. Instead, each column is resolved on its own: the items
//! touching it are visited in *reverse* drawing order and each one paints only the pixels no
//! later item has painted. The final image is identical to painting front to back, but every
//! pixel is written at most once and an item costs O(1) beyond the pixels it finally owns.
//!
//! "Already painted" is tracked per column with a skip list (`next[y]` points at the first
//! unpainted row at or below `y`), reused from column to column, so memory is one `u32` per
//! image row whatever the number of items.

use crate::raster::Canvas;
use crate::style::Rgba;

/// Items laid out left to right that [`paint_columns`] can resolve column by column.
pub trait ColumnItems {
    /// Number of items.
    fn count(&self) -> usize;

    /// Inclusive range of columns item `index` may touch. Both ends must never decrease as
    /// `index` grows; items that will not be drawn still report their slot.
    fn columns(&self, index: usize) -> (i32, i32);

    /// Which drawing pass item `index` belongs to: pass 0 is drawn entirely before pass 1, and
    /// items within a pass in ascending index order.
    fn pass(&self, index: usize) -> usize;

    /// Calls `run(top, bottom, color)` for each vertical run (rows `top..=bottom`) that item
    /// `index` draws in column `x`, in *reverse* of the order the item draws them.
    fn runs(&self, index: usize, x: i32, run: &mut dyn FnMut(i32, i32, Rgba));
}

/// Paints `items` onto `canvas` over whatever is already there, column by column, with the
/// same result as drawing every item in pass and index order.
pub fn paint_columns(canvas: &mut Canvas, items: &impl ColumnItems, passes: usize) {
    let count = items.count();
    let height = canvas.height() as i32;
    let mut next: Vec<u32> = (0..=height as u32).collect();
    let (mut first, mut end) = (0usize, 0usize);

    for x in 0..canvas.width() as i32 {
        while first < count && items.columns(first).1 < x {
            first += 1;
        }
        while end < count && items.columns(end).0 <= x {
            end += 1;
        }
        if first >= end {
            continue;
        }
        for (row, slot) in next.iter_mut().enumerate() {
            *slot = row as u32;
        }
        for pass in (0..passes).rev() {
            for index in (first..end)
                .rev()
                .filter(|&index| items.pass(index) == pass)
            {
                items.runs(index, x, &mut |top, bottom, color| {
                    paint_unpainted(canvas, &mut next, x, top, bottom, color);
                });
            }
        }
    }
}

/// Paints the rows of `top..=bottom` in column `x` that are still unpainted.
fn paint_unpainted(
    canvas: &mut Canvas,
    next: &mut [u32],
    x: i32,
    top: i32,
    bottom: i32,
    color: Rgba,
) {
    let height = next.len() as i32 - 1;
    let (top, bottom) = (top.max(0), bottom.min(height - 1));
    if top > bottom {
        return;
    }
    let mut y = find(next, top as u32);
    while (y as i32) <= bottom {
        canvas.put_pixel(x, y as i32, color);
        next[y as usize] = y + 1;
        y = find(next, y + 1);
    }
}

/// The first unpainted row at or below `row`, halving the path on the way.
#[inline]
fn find(next: &mut [u32], mut row: u32) -> u32 {
    while next[row as usize] != row {
        let skip = next[next[row as usize] as usize];
        next[row as usize] = skip;
        row = skip;
    }
    row
}
