//! Candlestick and hollow-candle charts.

use crate::input::Ohlcv;
use crate::layout::{
    grid_columns, CandleColumns, CandleSlots, ChartSize, Panels, PriceScale, VolumeScale,
    YRounding,
};
use crate::raster::{Canvas, Channels};
use crate::style::Palette;

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

/// One candle, laid out.
struct CandleShape {
    columns: CandleColumns,
    high: i32,
    low: i32,
    body_top: i32,
    body_bottom: i32,
    volume_top: i32,
    rising: bool,
}

/// Draws a candlestick (or hollow-candle) chart.
///
/// Batch mode draws all rising candles, then all falling ones, with the batch y rounding;
/// sequential mode draws them in index order with the sequential rounding. Candles with a
/// non-finite price are skipped; all-zero or non-finite volumes draw no volume bar.
pub fn render_candles(data: &Ohlcv<'_>, options: &CandleOptions) -> Canvas {
    let mut canvas = Canvas::new(options.size, options.channels, options.palette.background);
    let panels = Panels::split(options.size.height);
    let slots = CandleSlots::new(options.size.width, data.len(), options.wick_width_ratio);
    let prices = PriceScale::from_candles(data, panels.price_height);
    let volumes = VolumeScale::from_candles(data, panels.volume_height);
    let batch = options.batch.unwrap_or(data.len() >= BATCH_THRESHOLD);
    let rounding = if batch { YRounding::Batch } else { YRounding::Sequential };

    if options.show_grid {
        draw_grid(&mut canvas, &panels, data.len(), slots.slot_width, options.palette);
    }

    let shape = |index: usize| -> Option<CandleShape> {
        let [open, high, low, close] = data.prices(index);
        if ![open, high, low, close].iter().all(|price| price.is_finite()) {
            return None;
        }
        let (y_open, y_close) = (prices.y(open, rounding), prices.y(close, rounding));
        Some(CandleShape {
            columns: slots.columns(index),
            high: prices.y(high, rounding),
            low: prices.y(low, rounding),
            body_top: y_open.min(y_close),
            body_bottom: y_open.max(y_close),
            volume_top: panels.height - volumes.height(data.volume.get(index)),
            rising: close >= open,
        })
    };
    let mut draw = |candle: CandleShape| {
        draw_candle(&mut canvas, &candle, slots.wick_width, &panels, options);
    };

    if batch {
        for rising_pass in [true, false] {
            (0..data.len()).filter_map(shape).filter(|c| c.rising == rising_pass).for_each(&mut draw);
        }
    } else {
        (0..data.len()).filter_map(shape).for_each(&mut draw);
    }
    canvas
}

fn draw_candle(
    canvas: &mut Canvas,
    candle: &CandleShape,
    wick_width: i32,
    panels: &Panels,
    options: &CandleOptions,
) {
    let color = if candle.rising { options.palette.up } else { options.palette.down };
    let CandleColumns { start, end, center } = candle.columns;

    canvas.vertical_line(center, candle.high, candle.low, wick_width, color);
    if candle.rising && options.body == BodyStyle::HollowRising {
        canvas.outline_rect(start, candle.body_top, end, candle.body_bottom, color);
    } else {
        canvas.fill_rect(start, candle.body_top, end, candle.body_bottom, color);
    }
    // The bar spans rows volume_top..=height; the last row is off the canvas, so a bar of
    // height h shows exactly h rows and a zero-height bar shows none.
    canvas.fill_rect(start, candle.volume_top, end, panels.height, color);
}

/// Nine horizontal lines across the price panel and vertical lines at every `n/20`-th slot.
pub(crate) fn draw_grid(
    canvas: &mut Canvas,
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
