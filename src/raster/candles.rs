//! Candlestick and hollow-candle charts.

use crate::input::Ohlcv;
use crate::layout::{
    candle_scales, grid_columns, CandleColumns, CandleSlots, ChartSize, Panels, PriceScale,
    VolumeScale, YRounding,
};
use crate::raster::canvas::BarsDown;
use crate::raster::dense::{paint_columns, ColumnItems};
use crate::raster::{Canvas, Channels, Rows};
use crate::style::{Palette, Rgba};

/// Candle count from which the original switched to its vectorised ("batch") drawing.
pub const BATCH_THRESHOLD: usize = 1000;

/// How candle bodies are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyStyle {
    /// Every body is filled.
    Filled,
    /// Rising bodies are a one-pixel outline with the wick visible inside; falling ones filled.
    HollowRising,
}

/// Everything a candle chart needs besides the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CandleOptions {
    /// Image size.
    pub size: ChartSize,
    /// Colours, already resolved from theme and overrides.
    pub palette: Palette,
    /// RGBA or RGB output.
    pub channels: Channels,
    /// Whether to draw the grid.
    pub show_grid: bool,
    /// Wick width as a fraction of the body width (capped at 0.1).
    pub wick_width_ratio: f64,
    /// Forces batch (`Some(true)`) or sequential (`Some(false)`) drawing; `None` picks batch
    /// from [`BATCH_THRESHOLD`] candles on, as the original did.
    pub batch: Option<bool>,
    /// Filled or hollow bodies.
    pub body: BodyStyle,
}

/// How the candles are put on the canvas; both give identical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Painter {
    /// Draw every candle's shapes in order: cheapest when candles are wide.
    Direct,
    /// Resolve each pixel column once ([`crate::raster::dense`]): cheapest when many candles
    /// share a column.
    Columns,
}

impl Painter {
    /// The cheaper painter for `count` candles across `width` pixels. Painting directly costs
    /// about the candles' total area; resolving columns costs about the image area plus a little
    /// per candle, so it wins once there are more candles than columns (measured with
    /// `cargo run --release --example timing`: equal at 2,000 candles on 1,920 columns, 2x
    /// faster at 10,000).
    pub fn for_density(count: usize, width: u32) -> Painter {
        if count > width as usize {
            Painter::Columns
        } else {
            Painter::Direct
        }
    }
}

/// One candle, laid out.
#[derive(Debug, Clone, Copy)]
struct CandleShape {
    columns: CandleColumns,
    high: i32,
    low: i32,
    body_top: i32,
    body_bottom: i32,
    volume_top: i32,
    color: Rgba,
    rising: bool,
}

/// The geometry of every candle of one chart, computed on demand (never stored per candle).
struct CandleLayout<'d, 'a> {
    data: &'d Ohlcv<'a>,
    slots: CandleSlots,
    prices: PriceScale,
    volumes: VolumeScale,
    panels: Panels,
    rounding: YRounding,
    batch: bool,
    options: &'d CandleOptions,
}

impl CandleLayout<'_, '_> {
    /// The shape of candle `index`, or `None` when a price is not finite.
    fn shape(&self, index: usize) -> Option<CandleShape> {
        let [open, high, low, close] = self.data.prices(index);
        if ![open, high, low, close]
            .iter()
            .all(|price| price.is_finite())
        {
            return None;
        }
        let (y_open, y_close) = (
            self.prices.y(open, self.rounding),
            self.prices.y(close, self.rounding),
        );
        let rising = close >= open;
        Some(CandleShape {
            columns: self.slots.columns(index),
            high: self.prices.y(high, self.rounding),
            low: self.prices.y(low, self.rounding),
            body_top: y_open.min(y_close),
            body_bottom: y_open.max(y_close),
            volume_top: self.panels.height - self.volumes.height(self.data.volume.get(index)),
            color: if rising {
                self.options.palette.up
            } else {
                self.options.palette.down
            },
            rising,
        })
    }

    fn hollow(&self, candle: &CandleShape) -> bool {
        candle.rising && self.options.body == BodyStyle::HollowRising
    }

    /// Columns covered by the wick of a candle centred on `center`.
    fn wick_columns(&self, center: i32) -> (i32, i32) {
        let width = self.slots.wick_width;
        (center - (width - 1) / 2, center + width / 2)
    }

    /// Draws the candle, with its volume bar only down to row `volume_end` (included).
    fn draw(&self, canvas: &mut Rows<'_>, candle: &CandleShape, volume_end: i32) {
        let CandleColumns { start, end, center } = candle.columns;
        let color = candle.color;
        canvas.vertical_line(
            center,
            candle.high,
            candle.low,
            self.slots.wick_width,
            color,
        );
        if self.hollow(candle) {
            canvas.outline_rect(start, candle.body_top, end, candle.body_bottom, color);
        } else {
            canvas.fill_rect(start, candle.body_top, end, candle.body_bottom, color);
        }
        // The bar spans rows volume_top..=height; the last row is off the canvas, so a bar of
        // height h shows exactly h rows and a zero-height bar shows none.
        canvas.fill_rect(start, candle.volume_top, end, volume_end, color);
    }
}

impl ColumnItems for CandleLayout<'_, '_> {
    type Shape = CandleShape;

    fn count(&self) -> usize {
        self.data.len()
    }

    fn columns(&self, index: usize) -> (i32, i32) {
        let columns = self.slots.columns(index);
        let (wick_left, wick_right) = self.wick_columns(columns.center);
        (columns.start.min(wick_left), columns.end.max(wick_right))
    }

    fn shape(&self, index: usize) -> Option<CandleShape> {
        CandleLayout::shape(self, index)
    }

    fn pass(&self, candle: &CandleShape) -> usize {
        usize::from(self.batch && !candle.rising)
    }

    fn runs(&self, candle: &CandleShape, x: i32, run: &mut impl FnMut(i32, i32, Rgba)) {
        let CandleColumns { start, end, center } = candle.columns;
        let color = candle.color;
        // Reverse of the drawing order: volume bar, body, wick. They share one colour, so the
        // order only matters for clarity.
        if (start..=end).contains(&x) {
            run(candle.volume_top, self.panels.height, color);
            if !self.hollow(candle) {
                run(candle.body_top, candle.body_bottom, color);
            } else if x == start || x == end {
                // Sides; a flat outline reaches one row lower (see Canvas::outline_rect).
                let flat = candle.body_top == candle.body_bottom;
                run(candle.body_top, candle.body_bottom + i32::from(flat), color);
            } else {
                run(candle.body_top, candle.body_top, color);
                run(candle.body_bottom, candle.body_bottom, color);
            }
        }
        if candle.high == candle.low {
            if x == center {
                run(candle.high, candle.high, color);
            }
        } else {
            let (left, right) = self.wick_columns(center);
            if (left..=right).contains(&x) {
                run(
                    candle.high.min(candle.low),
                    candle.high.max(candle.low),
                    color,
                );
            }
        }
    }
}

/// Draws a candlestick (or hollow-candle) chart.
///
/// Batch mode draws all rising candles, then all falling ones, with the batch y rounding;
/// sequential mode draws them in index order with the sequential rounding. Candles with a
/// non-finite price are skipped; all-zero or non-finite volumes draw no volume bar.
pub fn render_candles(data: &Ohlcv<'_>, options: &CandleOptions) -> Canvas {
    render_candles_with(
        data,
        options,
        Painter::for_density(data.len(), options.size.width),
    )
}

/// [`render_candles`] with a chosen [`Painter`]; the pixels do not depend on it.
pub fn render_candles_with(data: &Ohlcv<'_>, options: &CandleOptions, painter: Painter) -> Canvas {
    let panels = Panels::split(options.size.height);
    let batch = options.batch.unwrap_or(data.len() >= BATCH_THRESHOLD);
    let (prices, volumes) = candle_scales(data, &panels);
    let layout = CandleLayout {
        data,
        slots: CandleSlots::new(options.size.width, data.len(), options.wick_width_ratio),
        prices,
        volumes,
        panels,
        rounding: if batch {
            YRounding::Batch
        } else {
            YRounding::Sequential
        },
        batch,
        options,
    };
    let draw_grid_on = |canvas: &mut Rows<'_>| {
        if options.show_grid {
            draw_grid(
                canvas,
                &panels,
                data.len(),
                layout.slots.slot_width,
                options.palette,
            );
        }
    };

    match painter {
        Painter::Columns => {
            let mut canvas =
                Canvas::new(options.size, options.channels, options.palette.background);
            draw_grid_on(&mut canvas.rows());
            paint_columns(&mut canvas, &layout, if batch { 2 } else { 1 });
            canvas
        }
        Painter::Direct => {
            // In drawing order; computed once because every band of rows draws them all. At
            // most a few thousand (this painter is for fewer candles than columns).
            let candles: Vec<CandleShape> = if batch {
                let shapes = || (0..data.len()).filter_map(|index| layout.shape(index));
                shapes()
                    .filter(|candle| candle.rising)
                    .chain(shapes().filter(|candle| !candle.rising))
                    .collect()
            } else {
                (0..data.len())
                    .filter_map(|index| layout.shape(index))
                    .collect()
            };
            // Below the price panel there are only volume bars, whose rows repeat until the
            // next bar starts: they are painted there by `fill_bars_down`, after the rest.
            // The row just below the panel is not left to it: the outline of a flat hollow
            // body on the panel's last row reaches one row lower (Pillow's rule).
            let below_prices = panels.price_height + 2;
            let volume_bars = BarsDown::new(
                candles.iter().map(|candle| {
                    let columns = candle.columns;
                    (columns.start, columns.end, candle.volume_top, candle.color)
                }),
                panels.height,
            );
            Canvas::new_in_bands(
                options.size,
                options.channels,
                options.palette.background,
                |rows| {
                    draw_grid_on(rows);
                    for candle in &candles {
                        layout.draw(rows, candle, below_prices - 1);
                    }
                    rows.fill_bars_down(below_prices, &volume_bars);
                },
            )
        }
    }
}

/// Nine horizontal lines across the price panel and vertical lines at every `n/20`-th slot.
pub(crate) fn draw_grid(
    canvas: &mut Rows<'_>,
    panels: &Panels,
    count: usize,
    slot_width: f64,
    palette: Palette,
) {
    let right = canvas.width() as i32;
    for y in panels.grid_rows() {
        canvas.horizontal_line(y, 0, right, palette.grid);
    }
    for x in grid_columns(count, slot_width) {
        canvas.vertical_line(x, 0, panels.price_height, 1, palette.grid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::XorShift;

    fn random_walk(count: usize, seed: u64) -> Vec<[f64; 5]> {
        let mut random = XorShift::new(seed);
        let mut next = move || random.unit();
        let mut close = 100.0;
        (0..count)
            .map(|_| {
                let open = close + next() - 0.5;
                close += next() * 2.0 - 1.0;
                let high = open.max(close) + next();
                let low = open.min(close) - next();
                let open = if next() < 0.05 { close } else { open };
                [open, high, low, close, next() * 1000.0]
            })
            .collect()
    }

    /// The five columns (open, high, low, close, volume) of `rows`.
    fn columns_of(rows: &[[f64; 5]]) -> Vec<Vec<f64>> {
        (0..5)
            .map(|k| rows.iter().map(|row| row[k]).collect())
            .collect()
    }

    fn ohlcv_of(columns: &[Vec<f64>]) -> Ohlcv<'_> {
        Ohlcv::from_slices(std::array::from_fn(|k| columns[k].as_slice())).unwrap()
    }

    fn both_painters_agree(
        count: usize,
        width: u32,
        height: u32,
        body: BodyStyle,
        batch: Option<bool>,
    ) {
        let rows = random_walk(count, count as u64 * 31 + width as u64);
        let mut columns = columns_of(&rows);
        if height > 1_000 {
            // Volumes of a few sizes, zero included: many bars start on one row.
            for volume in &mut columns[4] {
                *volume = (*volume / 250.0).floor() * 250.0;
            }
        }
        let data = ohlcv_of(&columns);
        let options = CandleOptions {
            size: ChartSize::new(width as i64, height as i64).unwrap(),
            palette: Palette::resolve("modern", Default::default(), true),
            channels: Channels::Rgba,
            show_grid: true,
            wick_width_ratio: 0.1,
            batch,
            body,
        };
        let direct = render_candles_with(&data, &options, Painter::Direct);
        let columns = render_candles_with(&data, &options, Painter::Columns);
        assert!(
            direct.pixels() == columns.pixels(),
            "painters differ for {count} candles at {width}x{height}, {body:?}, {batch:?}"
        );
    }

    #[test]
    fn a_flat_hollow_body_on_the_lowest_row_reaches_into_the_volume_panel() {
        // A doji whose open, close and low are the lowest price sits on the price panel's
        // last row; its outline reaches one row lower, where the volume bars start.
        let mut rows = random_walk(40, 7);
        let lowest = rows.iter().map(|row| row[2]).fold(f64::INFINITY, f64::min) - 1.0;
        rows[17] = [lowest, lowest + 0.5, lowest, lowest, 0.0];
        rows[18][4] = 1.0;
        let columns = columns_of(&rows);
        let data = ohlcv_of(&columns);
        for height in [250, 2_000] {
            let options = CandleOptions {
                size: ChartSize::new(400, height).unwrap(),
                palette: Palette::resolve("modern", Default::default(), true),
                channels: Channels::Rgba,
                show_grid: true,
                wick_width_ratio: 0.1,
                batch: None,
                body: BodyStyle::HollowRising,
            };
            let direct = render_candles_with(&data, &options, Painter::Direct);
            let columns = render_candles_with(&data, &options, Painter::Columns);
            assert!(
                direct.pixels() == columns.pixels(),
                "painters differ at height {height}"
            );
        }
    }

    #[test]
    fn column_painter_gives_the_direct_painters_pixels() {
        for (count, width) in [
            (1, 100),
            (7, 300),
            (150, 200),
            (999, 400),
            (1500, 1000),
            (5000, 300),
        ] {
            for body in [BodyStyle::Filled, BodyStyle::HollowRising] {
                for batch in [None, Some(true), Some(false)] {
                    // 250 rows are one band of `Canvas::new_in_bands`; 2,000 are several.
                    for height in [250, 2_000] {
                        both_painters_agree(count, width, height, body, batch);
                    }
                }
            }
        }
    }
}
