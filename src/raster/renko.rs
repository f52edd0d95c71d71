//! Renko charts: one brick per slot, rising bricks in the up colour, falling in the down colour.
//!
//! There is no volume panel; bricks live in the top 70 % of the image like the other charts'
//! prices. The price axis spans the brick prices, widened by one box on each side only when the
//! box size was given (the original did not widen it for the automatic size). An up brick's
//! price is its top edge and a down brick's its bottom edge; bricks are at least one row tall.

use crate::errors::Result;
use crate::layout::{spread_grid_columns, trunc, ItemSlots, Panels, PriceScale, YRounding};
use crate::raster::frame::ChartFrame;
use crate::raster::Canvas;
use crate::transform::renko::{build_bricks, resolve_box_size, Brick, Direction};
use crate::transform::{check_box_size, check_reversal_boxes, PriceRows};

/// Everything a Renko chart needs besides the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenkoOptions {
    /// Size, colours and grid.
    pub frame: ChartFrame,
    /// Price step of one brick; `None` picks `0.75 * median(ATR-14)`.
    pub box_size: Option<f64>,
    /// Bricks needed to turn the trend (1..=10).
    pub reversal_boxes: i64,
}

/// Draws a Renko chart of `rows`. No bricks (including empty input) gives a plain background.
///
/// Fails on the same arguments as [`crate::transform::renko::renko_bricks`].
pub fn render_renko(rows: &PriceRows<'_>, options: &RenkoOptions) -> Result<Canvas> {
    let reversal_boxes = check_reversal_boxes(options.reversal_boxes)?;
    if let Some(explicit) = options.box_size {
        check_box_size(explicit)?;
    }
    let frame = &options.frame;
    let mut canvas = frame.blank_canvas();
    if rows.is_empty() {
        return Ok(canvas);
    }
    let box_size = resolve_box_size(rows, options.box_size)?;
    let bricks = build_bricks(rows, box_size, reversal_boxes)?;
    if bricks.is_empty() {
        return Ok(canvas);
    }

    let panels = Panels::split(frame.size.height);
    let prices = brick_scale(
        &bricks,
        box_size,
        options.box_size.is_some(),
        panels.price_height,
    );
    let brick_height = trunc(box_size / prices.range() * f64::from(panels.price_height)).max(1);
    let slots = ItemSlots::new(frame.size.width, bricks.len());

    if frame.show_grid {
        frame.draw_full_height_grid(
            &mut canvas,
            &panels,
            spread_grid_columns(bricks.len(), slots.slot_width),
        );
    }
    for (index, brick) in bricks.iter().enumerate() {
        let (left, right) = slots.body(index);
        let y = prices.y(brick.price, YRounding::Batch);
        let (top, bottom, color) = match brick.direction {
            // A lone brick with a huge automatic box can be billions of rows tall.
            Direction::Up => (y, y.saturating_add(brick_height), frame.palette.up),
            Direction::Down => (y.saturating_sub(brick_height), y, frame.palette.down),
        };
        canvas.fill_rect(left, top, right, bottom, color);
    }
    Ok(canvas)
}

/// The price axis over the bricks, one box wider on each side when the box size was explicit.
fn brick_scale(bricks: &[Brick], box_size: f64, explicit: bool, panel_height: i32) -> PriceScale {
    let (mut min, mut max) = bricks
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(min, max), brick| {
            (min.min(brick.price), max.max(brick.price))
        });
    if explicit {
        min -= box_size;
        max += box_size;
    }
    PriceScale::with_unit_fallback(min, max, panel_height)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Column;
    use crate::layout::ChartSize;
    use crate::raster::Channels;
    use crate::style::{Overrides, Palette};

    fn options(box_size: Option<f64>) -> RenkoOptions {
        RenkoOptions {
            frame: ChartFrame {
                size: ChartSize {
                    width: 200,
                    height: 100,
                },
                palette: Palette::resolve("classic", Overrides::default(), true),
                channels: Channels::Rgba,
                show_grid: false,
            },
            box_size,
            reversal_boxes: 1,
        }
    }

    #[test]
    fn bricks_fill_their_slots_in_their_colours() {
        let high = [101.0, 104.0, 106.0, 104.0];
        let low = [99.0, 101.0, 104.0, 102.0];
        let close = [100.0, 103.0, 105.0, 102.0];
        let (h, l, c) = (
            Column::from_slice(&high),
            Column::from_slice(&low),
            Column::from_slice(&close),
        );
        let rows = PriceRows::new(&h, &l, &c).unwrap();
        let canvas = render_renko(&rows, &options(Some(2.0))).unwrap();
        // Bricks 102, 104, 106 up, 104, 102 down; axis 100..108 over 70 rows; slot 200/6.
        let slot = 200.0 / 6.0;
        let first_left = trunc(0.1 * slot) as u32;
        assert_eq!(canvas.pixel(first_left, 52), [0, 255, 0, 255]);
        let last_left = trunc(4.0 * slot + 0.1 * slot) as u32;
        assert_eq!(canvas.pixel(last_left + 1, 45), [255, 0, 0, 255]);
        assert_eq!(canvas.pixel(199, 0), [0, 0, 0, 255]);
    }

    #[test]
    fn no_bricks_is_a_blank_chart_and_bad_arguments_are_errors() {
        let flat = [1.0, 1.0];
        let column = Column::from_slice(&flat);
        let rows = PriceRows::new(&column, &column, &column).unwrap();
        let canvas = render_renko(&rows, &options(Some(5.0))).unwrap();
        assert!(canvas
            .pixels()
            .chunks(4)
            .all(|pixel| pixel == [0, 0, 0, 255]));
        assert!(render_renko(&rows, &options(Some(-1.0))).is_err());
        // Two rows are too few for the automatic box size.
        assert!(render_renko(&rows, &options(None)).is_err());
    }

    #[test]
    fn grid_lines_spread_over_the_bricks() {
        let slots = ItemSlots::new(1000, 25);
        let columns: Vec<i32> = spread_grid_columns(25, slots.slot_width).collect();
        // min(20, 25/10 + 1) = 3 lines at 0, 25/3 and 50/3 bricks.
        assert_eq!(
            columns,
            vec![
                0,
                trunc(25.0 / 3.0 * slots.slot_width),
                trunc(2.0 * (25.0 / 3.0) * slots.slot_width)
            ]
        );
        assert_eq!(spread_grid_columns(9, slots.slot_width).count(), 0);
    }
}
