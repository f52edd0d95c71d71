//! Point & Figure charts: columns of X marks (rising) and O marks (falling), one box per mark.
//!
//! There is no volume panel: the price axis uses the whole height. Each box is centred on its
//! price (the box line, not the middle between two box lines) and spans 80 % of a column's
//! width and at least 10 rows. An X is two diagonal lines 2 pixels wide in the up colour, an O an
//! ellipse outline 2 pixels wide in the down colour, both drawn as Pillow draws them (see
//! [`crate::raster::strokes`]) unless antialiasing is asked for.

use crate::errors::Result;
use crate::layout::{trunc, Panels, PriceScale, YRounding};
use crate::raster::frame::ChartFrame;
use crate::raster::smooth::SmoothLayer;
use crate::raster::strokes::{BoundingBox, PillowPen, Point};
use crate::raster::Canvas;
use crate::transform::pnf::{build_columns, resolve_box_size, ColumnKind, PnfColumn};
use crate::transform::{check_box_size, check_reversal_boxes, PriceRows};

/// Width in pixels of the X strokes and the O outlines.
const MARK_STROKE: i32 = 2;
/// Shortest box, in rows.
const MIN_BOX_HEIGHT: i32 = 10;
/// Tallest box, in image heights.
const MAX_BOX_HEIGHT_IN_IMAGES: i32 = 4;
/// Share of a column's width a box spans.
const BOX_WIDTH_SHARE: f64 = 0.8;

/// Everything a Point & Figure chart needs besides the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PnfOptions {
    /// Size, colours and grid.
    pub frame: ChartFrame,
    /// Price step of one box; `None` picks the median ATR-14 (1 % of the range below 14 rows).
    pub box_size: Option<f64>,
    /// Boxes needed to start a new column (1..=10).
    pub reversal_boxes: i64,
    /// Draw the marks antialiased (composited over the grid) instead of Pillow's aliased pixels.
    pub antialias: bool,
}

/// The marks of one box, laid out.
#[derive(Debug, Clone, Copy)]
struct BoxMark {
    kind: ColumnKind,
    bounds: BoundingBox,
}

/// Draws a Point & Figure chart of `rows`. No columns (including empty input) gives a plain
/// background.
///
/// Fails on the same arguments as [`crate::transform::pnf::pnf_columns`].
pub fn render_pnf(rows: &PriceRows<'_>, options: &PnfOptions) -> Result<Canvas> {
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
    let columns = build_columns(rows, box_size, reversal_boxes)?;
    if columns.is_empty() {
        return Ok(canvas);
    }

    let layout = PnfLayout::new(&columns, box_size, options);
    if frame.show_grid {
        let panels = Panels::price_only(frame.size.height);
        let boundaries = (0..=columns.len()).map(|column| layout.column_start(column));
        frame.draw_full_height_grid(&mut canvas, &panels, boundaries);
    }
    if options.antialias {
        draw_smooth_marks(&mut canvas, || layout.marks(&columns), frame);
    } else {
        let mut pen = PillowPen::new();
        for mark in layout.marks(&columns) {
            draw_mark(&mut canvas, &mut pen, mark, frame);
        }
    }
    Ok(canvas)
}

/// Column positions, box sizes and the price axis of one chart.
struct PnfLayout {
    column_width: f64,
    half_width: i32,
    half_height: i32,
    prices: PriceScale,
}

impl PnfLayout {
    fn new(columns: &[PnfColumn], box_size: f64, options: &PnfOptions) -> Self {
        let size = options.frame.size;
        let all_boxes = columns
            .iter()
            .flat_map(|column| column.boxes.iter().copied());
        let (mut min, mut max) = all_boxes
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(min, max), price| {
                (min.min(price), max.max(price))
            });
        // The axis is widened by a box on each side only for an explicit box size, as the
        // original did.
        if options.box_size.is_some() {
            min -= box_size;
            max += box_size;
        }
        let height = size.height as i32;
        let prices = PriceScale::with_unit_fallback(min, max, height);
        let column_width = f64::from(size.width) / (columns.len() as f64 + 1.0);
        let box_width = trunc(column_width * BOX_WIDTH_SHARE);
        // A lone box with a huge automatic size (the axis then spans 1) would be billions of
        // rows tall and its outline would take as many steps to draw; it is capped at four image
        // heights, where its sides already run almost straight through the image.
        let box_height = trunc(box_size / prices.range() * f64::from(height))
            .clamp(MIN_BOX_HEIGHT, MAX_BOX_HEIGHT_IN_IMAGES * height.max(1));
        PnfLayout {
            column_width,
            half_width: box_width / 2,
            half_height: box_height / 2,
            prices,
        }
    }

    /// Left edge of column `column` (also where the grid line before it goes).
    fn column_start(&self, column: usize) -> i32 {
        trunc(column as f64 * self.column_width)
    }

    /// Every box of every column, in drawing order.
    fn marks<'c>(&'c self, columns: &'c [PnfColumn]) -> impl Iterator<Item = BoxMark> + 'c {
        columns.iter().enumerate().flat_map(move |(index, column)| {
            let center = trunc(f64::from(self.column_start(index)) + self.column_width / 2.0);
            column.boxes.iter().map(move |&price| {
                let y = self.prices.y(price, YRounding::Batch);
                BoxMark {
                    kind: column.kind,
                    bounds: BoundingBox {
                        left: center - self.half_width,
                        top: y - self.half_height,
                        right: center + self.half_width,
                        bottom: y + self.half_height,
                    },
                }
            })
        })
    }
}

fn draw_mark(canvas: &mut Canvas, pen: &mut PillowPen, mark: BoxMark, frame: &ChartFrame) {
    let canvas = &mut canvas.rows();
    let BoundingBox {
        left,
        top,
        right,
        bottom,
    } = mark.bounds;
    match mark.kind {
        ColumnKind::X => {
            let color = frame.palette.up;
            let falling = [Point::new(left, top), Point::new(right, bottom)];
            let rising = [Point::new(left, bottom), Point::new(right, top)];
            pen.polyline(canvas, &falling, MARK_STROKE, color);
            pen.polyline(canvas, &rising, MARK_STROKE, color);
        }
        ColumnKind::O => pen.ellipse_outline(canvas, mark.bounds, MARK_STROKE, frame.palette.down),
    }
}

/// Antialiased marks: the same geometry stroked through pixel centres, then composited.
fn draw_smooth_marks<I>(canvas: &mut Canvas, marks: impl Fn() -> I, frame: &ChartFrame)
where
    I: Iterator<Item = BoxMark>,
{
    let corners: Vec<Point> = marks()
        .flat_map(|mark| {
            let BoundingBox {
                left,
                top,
                right,
                bottom,
            } = mark.bounds;
            [Point::new(left, top), Point::new(right, bottom)]
        })
        .collect();
    let layer = SmoothLayer::area_around(&corners, MARK_STROKE + 1)
        .and_then(|bounds| SmoothLayer::covering(frame.size, bounds));
    let Some(mut layer) = layer else {
        return;
    };
    let stroke = MARK_STROKE as f32;
    for mark in marks() {
        let BoundingBox {
            left,
            top,
            right,
            bottom,
        } = mark.bounds;
        match mark.kind {
            ColumnKind::X => {
                let color = frame.palette.up;
                let falling = [Point::new(left, top), Point::new(right, bottom)];
                let rising = [Point::new(left, bottom), Point::new(right, top)];
                layer.stroke_line(&falling, stroke, color);
                layer.stroke_line(&rising, stroke, color);
            }
            ColumnKind::O => layer.stroke_oval(mark.bounds, stroke, frame.palette.down),
        }
    }
    layer.composite_onto(canvas);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Column;
    use crate::layout::ChartSize;
    use crate::raster::Channels;
    use crate::style::{Overrides, Palette};

    fn options(antialias: bool) -> PnfOptions {
        PnfOptions {
            frame: ChartFrame {
                size: ChartSize {
                    width: 300,
                    height: 200,
                },
                palette: Palette::resolve("classic", Overrides::default(), true),
                channels: Channels::Rgba,
                show_grid: true,
            },
            box_size: Some(1.0),
            reversal_boxes: 3,
            antialias,
        }
    }

    fn sample_rows() -> [Vec<f64>; 3] {
        let close = vec![
            100.0, 101.0, 103.0, 106.0, 104.0, 101.0, 99.0, 100.0, 103.0, 107.0,
        ];
        let high = close.iter().map(|c| c + 0.5).collect();
        let low = close.iter().map(|c| c - 0.5).collect();
        [high, low, close]
    }

    fn colours(canvas: &Canvas) -> Vec<[u8; 4]> {
        let mut seen: Vec<[u8; 4]> = Vec::new();
        for pixel in canvas.pixels().chunks(4) {
            let pixel = [pixel[0], pixel[1], pixel[2], pixel[3]];
            if !seen.contains(&pixel) {
                seen.push(pixel);
            }
        }
        seen
    }

    #[test]
    fn x_and_o_marks_use_the_up_and_down_colours() {
        let [high, low, close] = sample_rows();
        let (h, l, c) = (
            Column::from_slice(&high),
            Column::from_slice(&low),
            Column::from_slice(&close),
        );
        let rows = PriceRows::new(&h, &l, &c).unwrap();
        let canvas = render_pnf(&rows, &options(false)).unwrap();
        let seen = colours(&canvas);
        assert!(seen.contains(&[0, 255, 0, 255]) && seen.contains(&[255, 0, 0, 255]));
        // Aliased drawing writes only the palette's colours.
        assert_eq!(seen.len(), 4, "{seen:?}");
    }

    #[test]
    fn a_lone_huge_box_is_capped_at_four_image_heights() {
        let columns = [PnfColumn {
            kind: ColumnKind::O,
            boxes: vec![1e12],
            start_idx: 0,
        }];
        let mut options = options(false);
        options.box_size = None;
        let layout = PnfLayout::new(&columns, 1e12, &options);
        assert_eq!(layout.half_height, 2 * 200);
        let mut canvas = options.frame.blank_canvas();
        for mark in layout.marks(&columns) {
            draw_mark(&mut canvas, &mut PillowPen::new(), mark, &options.frame);
        }
        // The outline's sides cross the whole image (the box is centred on the bottom row).
        for y in [0, 199] {
            let red = (0..300)
                .filter(|&x| canvas.pixel(x, y) == [255, 0, 0, 255])
                .count();
            assert!(red >= 4, "row {y} has {red} outline pixels");
        }
    }

    #[test]
    fn antialiased_marks_blend_edges_and_stay_in_their_columns() {
        let [high, low, close] = sample_rows();
        let (h, l, c) = (
            Column::from_slice(&high),
            Column::from_slice(&low),
            Column::from_slice(&close),
        );
        let rows = PriceRows::new(&h, &l, &c).unwrap();
        let aliased = render_pnf(&rows, &options(false)).unwrap();
        let smooth = render_pnf(&rows, &options(true)).unwrap();
        assert!(colours(&smooth).len() > 4);
        // Three columns of 75 pixels: nothing is drawn in the empty fourth slot.
        for y in 0..200 {
            for x in 226..300 {
                assert_eq!(smooth.pixel(x, y), aliased.pixel(x, y));
            }
        }
    }
}
