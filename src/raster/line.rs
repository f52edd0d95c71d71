//! Line charts: the closing prices joined by a line, an optional translucent area under it, and
//! a volume panel in the line's colour.
//!
//! Points sit at `trunc((i + 0.5) * W/(n+1))` on the batch-rounded price rows. The aliased line
//! is Pillow's `line(points, width, joint="curve")` pixel for pixel (see
//! [`crate::raster::strokes`]); the area under it is a polygon down to the bottom of the price
//! panel, written with alpha 50 and only in RGBA output, as in the original. With antialiasing
//! the same line and area are drawn by tiny-skia, the line at its exact (fractional) width with
//! round bends, and composited over the grid (see [`crate::raster::smooth`]).
//!
//! Rows whose high, low or close is not finite are left out: the line joins the rows around
//! them, and they neither stretch the price axis nor draw a volume bar.

use crate::errors::{Error, Result};
use crate::input::{check_not_negative, check_same_length, for_each_chunk_of, Column};
use crate::layout::{ItemSlots, Panels, PriceScale, VolumeScale, YRounding};
use crate::raster::candles::draw_grid;
use crate::raster::frame::ChartFrame;
use crate::raster::smooth::SmoothLayer;
use crate::raster::strokes::{PillowPen, Point};
use crate::raster::{Canvas, Channels};

/// Alpha of the area under the line.
pub const FILL_ALPHA: u8 = 50;
/// Widest aliased line drawn without pie slices at its bends (Pillow's curve joints start
/// above it).
const MAX_WIDTH_WITHOUT_BENDS: i32 = 4;
/// Thinnest accepted line, in pixels.
pub const MIN_LINE_WIDTH: f64 = 0.1;
/// Widest accepted line, in pixels.
pub const MAX_LINE_WIDTH: f64 = 20.0;

/// The columns a line chart reads (the open price is not used), checked to have one length.
#[derive(Debug, Clone)]
pub struct LineSeries<'a> {
    /// Highest prices: they set the top of the price axis.
    pub high: Column<'a>,
    /// Lowest prices: they set the bottom of the price axis.
    pub low: Column<'a>,
    /// Closing prices: the line's points.
    pub close: Column<'a>,
    /// Traded volume; never negative.
    pub volume: Column<'a>,
}

impl<'a> LineSeries<'a> {
    /// Checks that all columns have as many values as `close`, at least one, and that no volume
    /// is negative.
    pub fn new(
        high: Column<'a>,
        low: Column<'a>,
        close: Column<'a>,
        volume: Column<'a>,
    ) -> Result<Self> {
        check_same_length(&[
            ("close", &close),
            ("high", &high),
            ("low", &low),
            ("volume", &volume),
        ])?;
        check_not_negative("volume", &volume)?;
        Ok(LineSeries {
            high,
            low,
            close,
            volume,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.close.len()
    }

    /// Always false: [`LineSeries::new`] rejects empty input.
    pub fn is_empty(&self) -> bool {
        self.close.is_empty()
    }

    /// The price scale over the drawable rows and the volume scale over their finite volumes,
    /// in one pass.
    fn scales(&self, panels: &Panels) -> (PriceScale, VolumeScale) {
        let (mut min, mut max, mut max_volume) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
        let columns = [&self.high, &self.low, &self.close, &self.volume];
        for_each_chunk_of(columns, |_, [high, low, close, volume]| {
            for row in 0..high.len() {
                if is_drawable(high[row], low[row], close[row]) {
                    min = min.min(low[row]);
                    max = max.max(high[row]);
                    if volume[row].is_finite() {
                        max_volume = max_volume.max(volume[row]);
                    }
                }
            }
        });
        (
            PriceScale::from_bounds(min, max, panels.price_height),
            VolumeScale::from_volumes(std::iter::once(max_volume), panels.volume_height),
        )
    }

    /// The line's points (the closing price of every drawable row, at its slot's centre) and
    /// its volume bars, in one pass over the columns.
    ///
    /// The bars are `(first column, last column, top row)` rectangles reaching down to row
    /// `bottom`, all in one colour, so only their union matters. When there are more rows than
    /// columns, that union is kept as the top of the tallest bar in each column, and returned
    /// as one rectangle per stretch of columns with one top: at most one per column, however
    /// many rows there are.
    fn points_and_bars(
        &self,
        slots: &ItemSlots,
        prices: &PriceScale,
        volumes: &VolumeScale,
        bottom: i32,
        width: u32,
    ) -> (Vec<Point>, Vec<(i32, i32, i32)>) {
        let mut points = Vec::with_capacity(self.len());
        let dense = self.len() > width as usize;
        let mut bars = Vec::with_capacity(if dense { 0 } else { self.len() });
        let mut tops = vec![bottom; if dense { width as usize } else { 0 }];
        let columns = [&self.high, &self.low, &self.close, &self.volume];
        for_each_chunk_of(columns, |start, [high, low, close, volume]| {
            for row in 0..high.len() {
                if !is_drawable(high[row], low[row], close[row]) {
                    continue;
                }
                let index = start + row;
                let y = prices.y(close[row], YRounding::Batch);
                points.push(Point::new(slots.center(index), y));
                let (left, right) = slots.body(index);
                let top = bottom - volumes.height(volume[row]);
                if dense {
                    let (left, right) = (left.max(0), right.min(width as i32 - 1));
                    for column in left..=right {
                        let slot = &mut tops[column as usize];
                        *slot = (*slot).min(top);
                    }
                } else {
                    bars.push((left, right, top));
                }
            }
        });
        if dense {
            let mut column = 0;
            while column < tops.len() {
                let top = tops[column];
                let run = tops[column..]
                    .iter()
                    .take_while(|&&other| other == top)
                    .count();
                if top < bottom {
                    bars.push((column as i32, (column + run - 1) as i32, top));
                }
                column += run;
            }
        }
        (points, bars)
    }
}

/// A row is drawn when its high, low and close are all finite.
fn is_drawable(high: f64, low: f64, close: f64) -> bool {
    high.is_finite() && low.is_finite() && close.is_finite()
}

/// Everything a line chart needs besides the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineOptions {
    /// Size, colours and grid; the line is drawn in the palette's `up` colour.
    pub frame: ChartFrame,
    /// Line width in pixels, 0.1..=20. The aliased line rounds it to a whole number (halves to
    /// even, at least 1); the antialiased line uses it as given.
    pub line_width: f64,
    /// Whether to fill the area under the line (RGBA output only).
    pub fill_area: bool,
    /// Draw the line and area antialiased instead of Pillow's aliased pixels.
    pub antialias: bool,
}

/// Checks a line width against 0.1..=20 pixels.
pub fn check_line_width(line_width: f64) -> Result<f64> {
    if (MIN_LINE_WIDTH..=MAX_LINE_WIDTH).contains(&line_width) {
        Ok(line_width)
    } else {
        Err(Error::invalid(format!(
            "line_width must be between {MIN_LINE_WIDTH} and {MAX_LINE_WIDTH} pixels, \
             got {line_width}."
        )))
    }
}

/// The whole-pixel width of the aliased line: `line_width` rounded half to even (as Python's
/// `round`), at least 1.
pub fn aliased_width(line_width: f64) -> i32 {
    line_width.round_ties_even().max(1.0) as i32
}

/// Draws a line chart.
pub fn render_line(series: &LineSeries<'_>, options: &LineOptions) -> Canvas {
    let frame = &options.frame;
    let panels = Panels::split(frame.size.height);
    let slots = ItemSlots::new(frame.size.width, series.len());
    let (prices, volumes) = series.scales(&panels);
    let color = frame.palette.up;
    let (points, bars) =
        series.points_and_bars(&slots, &prices, &volumes, panels.height, frame.size.width);
    let area = (options.fill_area && frame.channels == Channels::Rgba)
        .then(|| area_under(&points, panels.price_height))
        .flatten();

    // The original draws grid, line, then volume bars. Tall bars written straight into a full
    // frame cost a cache miss per row, so the image is drawn band by band while each band is in
    // cache, in parallel (see `Canvas::new_in_bands`). An aliased line of at most one point
    // per column, without area or bends, is cheap to clip to a band, so it is drawn there too,
    // in its place between grid and bars. Any other line is drawn over the finished bands, and
    // then the bars once more on the few rows where the line can reach into the volume panel,
    // so that they end up on top as in the original.
    let width = aliased_width(options.line_width);
    let line_in_bands = !options.antialias
        && area.is_none()
        && width <= MAX_WIDTH_WITHOUT_BENDS
        && points.len() <= frame.size.width as usize;
    let mut canvas = Canvas::new_in_bands(
        frame.size,
        frame.channels,
        frame.palette.background,
        |rows| {
            if frame.show_grid {
                draw_grid(rows, &panels, series.len(), slots.slot_width, frame.palette);
            }
            if line_in_bands && points.len() >= 2 {
                PillowPen::new().polyline(rows, &points, width, color);
            }
            for &(left, right, top) in &bars {
                rows.fill_rect(left, top, right, panels.height, color);
            }
        },
    );
    if !line_in_bands {
        draw_line(&mut canvas, &points, area.as_deref(), options);
        if let Some(lowest) = lowest_row_reached(&points, area.as_deref(), options) {
            for &(left, right, top) in &bars {
                canvas.fill_rect(left, top, right, panels.height.min(lowest), color);
            }
        }
    }
    canvas
}

/// Draws the line (and the area under it) over `canvas`, aliased as Pillow does or smooth.
fn draw_line(canvas: &mut Canvas, points: &[Point], area: Option<&[Point]>, options: &LineOptions) {
    let color = options.frame.palette.up;
    let area_color = [color[0], color[1], color[2], FILL_ALPHA];
    if options.antialias {
        let reach = area.unwrap_or(points);
        let layer = SmoothLayer::area_around(reach, smooth_margin(options.line_width))
            .and_then(|bounds| SmoothLayer::covering(options.frame.size, bounds));
        if let Some(mut layer) = layer {
            if let Some(area) = area {
                layer.fill_polygon(area, area_color);
            }
            if points.len() >= 2 {
                layer.stroke_line(points, options.line_width as f32, color);
            }
            layer.composite_onto(canvas);
        }
    } else {
        let (mut pen, rows) = (PillowPen::new(), &mut canvas.rows());
        if let Some(area) = area {
            pen.fill_polygon(rows, area, area_color);
        }
        if points.len() >= 2 {
            pen.curved_polyline(rows, points, aliased_width(options.line_width), color);
        }
    }
}

/// Rows around the points that an antialiased line and its fringe can touch.
fn smooth_margin(line_width: f64) -> i32 {
    (line_width / 2.0).ceil() as i32 + 2
}

/// The lowest row [`draw_line`] can touch, or `None` when it draws nothing.
///
/// Every shape of the line stays within half its width of a point (segments, the pie slices at
/// its bends and the gap lines of wide lines) and the area ends at its own lowest vertex; the
/// margin here is more than both kinds of line need.
fn lowest_row_reached(
    points: &[Point],
    area: Option<&[Point]>,
    options: &LineOptions,
) -> Option<i32> {
    let lowest_point = area.unwrap_or(points).iter().map(|point| point.y).max()?;
    let margin = smooth_margin(options.line_width).max(aliased_width(options.line_width) + 1);
    Some(lowest_point.saturating_add(margin))
}

/// The polygon under the line: its points, then straight down to the bottom of the price panel
/// and back to below the first point.
fn area_under(points: &[Point], bottom: i32) -> Option<Vec<Point>> {
    let (first, last) = (points.first()?, points.last()?);
    let mut area = Vec::with_capacity(points.len() + 2);
    area.extend_from_slice(points);
    area.push(Point::new(last.x, bottom));
    area.push(Point::new(first.x, bottom));
    Some(area)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::ChartSize;
    use crate::style::{Overrides, Palette};

    fn options(fill_area: bool, antialias: bool) -> LineOptions {
        LineOptions {
            frame: ChartFrame {
                size: ChartSize {
                    width: 200,
                    height: 100,
                },
                palette: Palette::resolve("classic", Overrides::default(), true),
                channels: Channels::Rgba,
                show_grid: false,
            },
            line_width: 2.0,
            fill_area,
            antialias,
        }
    }

    fn series<'a>(
        high: &'a [f64],
        low: &'a [f64],
        close: &'a [f64],
        volume: &'a [f64],
    ) -> LineSeries<'a> {
        LineSeries::new(
            Column::from_slice(high),
            Column::from_slice(low),
            Column::from_slice(close),
            Column::from_slice(volume),
        )
        .unwrap()
    }

    /// The line chart drawn in the original's order on one canvas: grid, line, volume bars.
    fn in_original_order(series: &LineSeries<'_>, options: &LineOptions) -> Canvas {
        let frame = &options.frame;
        let panels = Panels::split(frame.size.height);
        let slots = ItemSlots::new(frame.size.width, series.len());
        let (prices, volumes) = series.scales(&panels);
        let mut canvas = frame.blank_canvas();
        if frame.show_grid {
            let rows = &mut canvas.rows();
            draw_grid(rows, &panels, series.len(), slots.slot_width, frame.palette);
        }
        let (points, _) =
            series.points_and_bars(&slots, &prices, &volumes, panels.height, frame.size.width);
        let area = (options.fill_area && frame.channels == Channels::Rgba)
            .then(|| area_under(&points, panels.price_height))
            .flatten();
        draw_line(&mut canvas, &points, area.as_deref(), options);
        // One bar per drawable row, each painted whole.
        for index in 0..series.len() {
            let (high, low, close) = (
                series.high.get(index),
                series.low.get(index),
                series.close.get(index),
            );
            if is_drawable(high, low, close) {
                let (left, right) = slots.body(index);
                let top = panels.height - volumes.height(series.volume.get(index));
                canvas.fill_rect(left, top, right, panels.height, frame.palette.up);
            }
        }
        canvas
    }

    #[test]
    fn banded_bars_give_the_pixels_of_the_original_drawing_order() {
        // Lines dipping to the bottom of the price panel, thick enough to reach into the
        // volume panel, with and without the area and smoothing, in RGBA and RGB.
        let close: Vec<f64> = (0..40)
            .map(|i| [5.0, 0.0, 9.0, 0.0][i % 4] + i as f64 * 0.1)
            .collect();
        let high: Vec<f64> = close.iter().map(|c| c + 0.5).collect();
        let low: Vec<f64> = close
            .iter()
            .map(|c| if *c < 1.0 { *c } else { c - 0.5 })
            .collect();
        let volume: Vec<f64> = (0..40).map(|i| (i % 7) as f64 * 100.0 + 50.0).collect();
        // And a dense series (more rows than columns, with gaps), whose bars are merged per
        // column.
        let dense_close: Vec<f64> = (0..1_500)
            .map(|i| {
                if i % 97 == 0 {
                    f64::NAN
                } else {
                    ((i * 37) % 101) as f64 * 0.1 + [0.0, 9.0][i / 300 % 2]
                }
            })
            .collect();
        let dense_high: Vec<f64> = dense_close.iter().map(|c| c + 0.5).collect();
        let dense_low: Vec<f64> = dense_close.iter().map(|c| c - 0.5).collect();
        let dense_volume: Vec<f64> = (0..1_500).map(|i| ((i * 53) % 89) as f64).collect();
        for data in [
            series(&high, &low, &close, &volume),
            series(&dense_high, &dense_low, &dense_close, &dense_volume),
        ] {
            check_banded_bars(&data);
        }
    }

    fn check_banded_bars(data: &LineSeries<'_>) {
        // 200x100 is one band; 300x2000 is several (see `Canvas::new_in_bands`), so lines and
        // bars are clipped at band edges.
        for (width, height) in [(200, 100), (300, 2_000)] {
            for channels in [Channels::Rgba, Channels::Rgb] {
                for (fill_area, antialias) in
                    [(false, false), (true, false), (false, true), (true, true)]
                {
                    for line_width in [1.0, 2.0, 3.0, 4.0, 7.0, 20.0] {
                        let mut options = LineOptions {
                            line_width,
                            ..options(fill_area, antialias)
                        };
                        options.frame.size = ChartSize { width, height };
                        options.frame.channels = channels;
                        options.frame.show_grid = true;
                        assert!(
                            render_line(data, &options).pixels()
                                == in_original_order(data, &options).pixels(),
                            "{width}x{height} {channels:?}, fill {fill_area}, \
                             smooth {antialias}, width {line_width}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn widths_round_half_to_even_and_are_checked() {
        assert_eq!(aliased_width(2.5), 2);
        assert_eq!(aliased_width(3.5), 4);
        assert_eq!(aliased_width(0.3), 1);
        assert!(check_line_width(0.05).is_err());
        assert!(check_line_width(f64::NAN).is_err());
        assert_eq!(
            check_line_width(25.0).unwrap_err().to_string(),
            "line_width must be between 0.1 and 20 pixels, got 25."
        );
    }

    #[test]
    fn lengths_are_checked_against_close() {
        let error = LineSeries::new(
            Column::from_slice(&[1.0]),
            Column::from_slice(&[1.0, 2.0]),
            Column::from_slice(&[1.0, 2.0]),
            Column::from_slice(&[1.0, 2.0]),
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "high has 1 values but close has 2.");
    }

    #[test]
    fn area_is_translucent_and_only_under_the_line() {
        let data = series(
            &[3.0, 3.0, 3.0],
            &[0.0, 0.0, 0.0],
            &[1.0, 3.0, 2.0],
            &[0.0; 3],
        );
        let canvas = render_line(&data, &options(true, false));
        // Points at x 25, 75, 125; nothing right of the last point.
        assert_eq!(canvas.pixel(75, 50), [0, 255, 0, FILL_ALPHA]);
        assert_eq!(canvas.pixel(150, 50), [0, 0, 0, 255]);
        assert_eq!(canvas.pixel(75, 0), [0, 255, 0, 255]);
    }

    #[test]
    fn rows_with_nan_are_left_out() {
        let data = series(
            &[3.0, f64::NAN, 3.0],
            &[0.0; 3],
            &[1.0, 2.0, 2.0],
            &[1.0; 3],
        );
        let canvas = render_line(&data, &options(false, false));
        // No volume bar in the middle slot; bars in the others.
        assert_eq!(canvas.pixel(75, 99), [0, 0, 0, 255]);
        assert_eq!(canvas.pixel(25, 99), [0, 255, 0, 255]);
    }

    #[test]
    fn antialiasing_adds_blended_pixels_without_moving_the_line() {
        let data = series(&[3.0, 3.0, 3.0], &[0.0; 3], &[1.0, 3.0, 2.0], &[0.0; 3]);
        let aliased = render_line(&data, &options(false, false));
        let smooth = render_line(&data, &options(false, true));
        let mut blended = 0;
        for y in 0..100 {
            for x in 0..200 {
                let pixel = smooth.pixel(x, y);
                if pixel[1] > 0 && pixel[1] < 255 {
                    blended += 1;
                }
                if x > 130 {
                    assert_eq!(pixel, aliased.pixel(x, y));
                }
            }
        }
        assert!(blended > 20);
    }
}
