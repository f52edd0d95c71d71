//! Layout stage: the geometry every chart type shares, computed once and drawn by any back end.
//!
//! This stage turns prices, volumes and indices into pixel coordinates. It reproduces the
//! original library's arithmetic operation for operation (same float expressions, truncation
//! toward zero) because pixel parity depends on every rounding. It never draws, never allocates
//! per candle and never reads Python objects.

use crate::errors::{Error, Result};
use crate::input::Ohlcv;

/// Smallest accepted image side, in pixels.
pub const MIN_SIDE: u32 = 100;
/// Largest accepted image side, in pixels.
pub const MAX_SIDE: u32 = 8192;

/// Truncates toward zero like Python's `int()` / numpy's `astype(int)`, saturating at the i32
/// range (and mapping NaN to 0) instead of wrapping.
#[inline]
pub fn trunc(value: f64) -> i32 {
    value as i32
}

/// A validated image size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartSize {
    /// Width in pixels, 100..=8192.
    pub width: u32,
    /// Height in pixels, 100..=8192.
    pub height: u32,
}

impl ChartSize {
    /// Checks both sides against the accepted range.
    pub fn new(width: i64, height: i64) -> Result<Self> {
        let check = |name: &str, value: i64| -> Result<u32> {
            if (MIN_SIDE as i64..=MAX_SIDE as i64).contains(&value) {
                Ok(value as u32)
            } else {
                Err(Error::invalid(format!(
                    "{name} must be between {MIN_SIDE} and {MAX_SIDE} pixels, got {value}."
                )))
            }
        };
        Ok(ChartSize {
            width: check("width", width)?,
            height: check("height", height)?,
        })
    }
}

/// The price panel on top (70 % of the height) and the volume panel under it (30 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panels {
    /// Image height.
    pub height: i32,
    /// Height of the price panel: the lowest price maps to this row.
    pub price_height: i32,
    /// Height of the volume panel; bars grow upward from row `height`.
    pub volume_height: i32,
}

impl Panels {
    /// The standard 70/30 split of an image `height` pixels tall.
    pub fn split(height: u32) -> Self {
        let height_f = height as f64;
        Panels {
            height: height as i32,
            price_height: trunc(height_f * 0.7),
            volume_height: trunc(height_f * 0.3),
        }
    }

    /// Rows of the nine horizontal grid lines dividing the price panel in tenths.
    pub fn grid_rows(&self) -> impl Iterator<Item = i32> {
        let price_height = self.price_height;
        (1..10).map(move |i| (i * price_height).div_euclid(10))
    }
}

/// How a scaled price becomes a row; the original used two forms that differ by one pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YRounding {
    /// `trunc(ch - scaled)`: the vectorised form.
    Batch,
    /// `ch - trunc(scaled)`: the candle-by-candle form.
    Sequential,
}

/// Maps prices to rows of the price panel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceScale {
    min: f64,
    range: f64,
    panel_height: i32,
}

impl PriceScale {
    /// The scale spanning the lowest low to the highest high of the drawable candles (all four
    /// prices finite). When no candle is drawable, or all prices are equal, every price maps to
    /// the middle of the panel.
    pub fn from_candles(data: &Ohlcv<'_>, panel_height: i32) -> Self {
        candle_scales(
            data,
            &Panels {
                height: 0,
                price_height: panel_height,
                volume_height: 0,
            },
        )
        .0
    }

    /// The scale mapping `min` to the bottom row and `max` to row 0.
    pub fn from_bounds(min: f64, max: f64, panel_height: i32) -> Self {
        let range = max - min;
        if range.is_finite() && range > 0.0 {
            PriceScale {
                min,
                range,
                panel_height,
            }
        } else {
            PriceScale {
                min: 0.0,
                range: 0.0,
                panel_height,
            }
        }
    }

    /// Whether every price maps to the middle of the panel.
    pub fn is_flat(&self) -> bool {
        self.range == 0.0
    }

    /// The row of `price`, rounded as `rounding` says.
    #[inline]
    pub fn y(&self, price: f64, rounding: YRounding) -> i32 {
        if self.is_flat() {
            return self.panel_height / 2;
        }
        let panel = self.panel_height as f64;
        let scaled = (price - self.min) / self.range * panel;
        match rounding {
            YRounding::Batch => trunc(panel - scaled),
            YRounding::Sequential => self.panel_height - trunc(scaled),
        }
    }
}

/// Maps volumes to bar heights in the volume panel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VolumeScale {
    max: f64,
    panel_height: i32,
}

impl VolumeScale {
    /// The scale where the largest finite volume of a drawable candle fills the panel.
    pub fn from_candles(data: &Ohlcv<'_>, panel_height: i32) -> Self {
        candle_scales(
            data,
            &Panels {
                height: 0,
                price_height: 0,
                volume_height: panel_height,
            },
        )
        .1
    }

    /// Height in rows of a bar for `volume`; 0 when the volume is not finite or all are 0.
    #[inline]
    pub fn height(&self, volume: f64) -> i32 {
        if self.max > 0.0 && volume.is_finite() {
            trunc(volume / self.max * self.panel_height as f64)
        } else {
            0
        }
    }
}

/// Both scales of a candle chart in one pass over the data: the price scale over the drawable
/// candles (all four prices finite) and the volume scale over their finite volumes.
pub fn candle_scales(data: &Ohlcv<'_>, panels: &Panels) -> (PriceScale, VolumeScale) {
    let (mut min, mut max, mut max_volume) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
    data.for_each_chunk(|_, [open, high, low, close, volume]| {
        for index in 0..open.len() {
            let drawable = open[index].is_finite()
                && high[index].is_finite()
                && low[index].is_finite()
                && close[index].is_finite();
            if drawable {
                min = min.min(low[index]);
                max = max.max(high[index]);
                if volume[index].is_finite() {
                    max_volume = max_volume.max(volume[index]);
                }
            }
        }
    });
    (
        PriceScale::from_bounds(min, max, panels.price_height),
        VolumeScale {
            max: max_volume,
            panel_height: panels.volume_height,
        },
    )
}

/// Horizontal geometry of candle-shaped items: slot `W/(n+1)`, 80 % of it filled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CandleSlots {
    /// Width of one slot (`W/(n+1)`); the right-most slot stays empty.
    pub slot_width: f64,
    spacing: f64,
    bar_width: f64,
    /// Width in columns of the wick line.
    pub wick_width: i32,
}

/// Columns covered by one candle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CandleColumns {
    /// First column of the body and volume bar.
    pub start: i32,
    /// Last column of the body and volume bar (inclusive).
    pub end: i32,
    /// Column the wick is centred on.
    pub center: i32,
}

impl CandleSlots {
    /// Slots for `count` candles across `width` pixels, with the wick at `wick_width_ratio` of the
    /// body width (capped at 10 %, at least one pixel).
    pub fn new(width: u32, count: usize, wick_width_ratio: f64) -> Self {
        let slot_width = width as f64 / (count as f64 + 1.0);
        let spacing = 0.2 * slot_width;
        let bar_width = slot_width - spacing;
        let wick_width = trunc(bar_width * wick_width_ratio)
            .min(trunc(bar_width * 0.1))
            .max(1);
        CandleSlots {
            slot_width,
            spacing,
            bar_width,
            wick_width,
        }
    }

    /// The columns of candle `index`.
    #[inline]
    pub fn columns(&self, index: usize) -> CandleColumns {
        let start = trunc(index as f64 * self.slot_width + self.spacing / 2.0);
        CandleColumns {
            start,
            end: trunc(start as f64 + self.bar_width),
            center: trunc(start as f64 + self.bar_width / 2.0),
        }
    }
}

/// Columns of the vertical grid lines: one at the left edge of every `max(1, n/20)`-th slot.
pub fn grid_columns(count: usize, slot_width: f64) -> impl Iterator<Item = i32> {
    let step = (count / 20).max(1);
    (0..count)
        .step_by(step)
        .map(move |index| trunc(index as f64 * slot_width))
}

impl Panels {
    /// A price panel as tall as the image and no volume panel, for charts without volume
    /// (Point & Figure): [`Panels::grid_rows`] then divides the whole height.
    pub fn price_only(height: u32) -> Self {
        Panels {
            height: height as i32,
            price_height: height as i32,
            volume_height: 0,
        }
    }
}

impl PriceScale {
    /// The scale spanning the lowest and highest of `extremes` (pairs of low and high), the
    /// way [`PriceScale::from_candles`] does for rows chosen by the caller.
    pub fn from_extremes(extremes: impl Iterator<Item = (f64, f64)>, panel_height: i32) -> Self {
        let (min, max) = extremes.fold(
            (f64::INFINITY, f64::NEG_INFINITY),
            |(min, max), (low, high)| (min.min(low), max.max(high)),
        );
        Self::from_bounds(min, max, panel_height)
    }

    /// The scale of Renko and Point & Figure charts: like [`PriceScale::from_bounds`], but
    /// equal bounds span a range of 1 (so prices map to the bottom row) instead of the middle,
    /// as the original did. Bounds that are not finite still give a flat scale.
    pub fn with_unit_fallback(min: f64, max: f64, panel_height: i32) -> Self {
        if max - min == 0.0 {
            Self::from_bounds(min, min + 1.0, panel_height)
        } else {
            Self::from_bounds(min, max, panel_height)
        }
    }

    /// The price span of the panel (0 for a flat scale).
    pub fn range(&self) -> f64 {
        self.range
    }
}

impl VolumeScale {
    /// The scale where the largest finite value of `volumes` fills the panel.
    pub fn from_volumes(volumes: impl Iterator<Item = f64>, panel_height: i32) -> Self {
        let max = volumes
            .filter(|volume| volume.is_finite())
            .fold(0.0f64, f64::max);
        VolumeScale { max, panel_height }
    }
}

/// Horizontal geometry of OHLC bars, line-chart points and Renko bricks: `count` slots of
/// `W/(n+1)` each, the right-most slot left empty.
///
/// Unlike [`CandleSlots`], the 80 % body is `trunc(start + 0.8 * slot)` (the original computed
/// it that way for these charts; `slot - 0.2 * slot` can differ in the last bit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemSlots {
    /// Width of one slot.
    pub slot_width: f64,
}

impl ItemSlots {
    /// Slots for `count` items across `width` pixels.
    pub fn new(width: u32, count: usize) -> Self {
        ItemSlots {
            slot_width: width as f64 / (count as f64 + 1.0),
        }
    }

    /// `trunc((index + 0.5) * slot)`: the centre of an OHLC bar or a line-chart point.
    #[inline]
    pub fn center(&self, index: usize) -> i32 {
        trunc((index as f64 + 0.5) * self.slot_width)
    }

    /// First and last column of the 80 % body of slot `index`: a Renko brick or a line-chart
    /// volume bar.
    #[inline]
    pub fn body(&self, index: usize) -> (i32, i32) {
        let start = trunc(index as f64 * self.slot_width + 0.2 * self.slot_width / 2.0);
        (start, trunc(start as f64 + self.slot_width * 0.8))
    }

    /// First and last column of the middle half of slot `index`: an OHLC bar's volume bar.
    #[inline]
    pub fn middle_half(&self, index: usize) -> (i32, i32) {
        let index = index as f64;
        (
            trunc((index + 0.25) * self.slot_width),
            trunc((index + 0.75) * self.slot_width),
        )
    }
}

/// Untruncated geometry for vector output (SVG), next to the truncating pixel forms above.
///
/// The raster renderers truncate every coordinate to reproduce the original's pixels; a vector
/// document keeps the exact values instead. These accessors use the same scales and slots, so
/// a chart's SVG and its pixels agree to within the truncation.
impl PriceScale {
    /// The exact row of `price`: `ch - (price - min) / range * ch`, untruncated. A flat scale
    /// maps every price to the middle of the panel, `ch / 2`.
    #[inline]
    pub fn y_exact(&self, price: f64) -> f64 {
        let panel = self.panel_height as f64;
        if self.is_flat() {
            return panel / 2.0;
        }
        panel - (price - self.min) / self.range * panel
    }
}

impl VolumeScale {
    /// The exact height of a bar for `volume`: `volume / max * vh`, untruncated; 0 when the
    /// volume is not finite or all volumes are 0.
    #[inline]
    pub fn height_exact(&self, volume: f64) -> f64 {
        if self.max > 0.0 && volume.is_finite() {
            volume / self.max * self.panel_height as f64
        } else {
            0.0
        }
    }
}

impl ItemSlots {
    /// Left edge of slot `index`: `index * slot`.
    #[inline]
    pub fn start_exact(&self, index: usize) -> f64 {
        index as f64 * self.slot_width
    }

    /// Centre of slot `index`: `(index + 0.5) * slot`.
    #[inline]
    pub fn center_exact(&self, index: usize) -> f64 {
        (index as f64 + 0.5) * self.slot_width
    }

    /// Left edge and width of the part of slot `index` that spans `share` of it, centred in
    /// the slot: 0.8 for candle bodies and line-chart volume bars, 0.5 for OHLC volume bars.
    #[inline]
    pub fn span_exact(&self, index: usize, share: f64) -> (f64, f64) {
        let width = share * self.slot_width;
        // `(slot - width) / 2` rather than `(1 - share) * slot / 2`: 1 - 0.8 is not 0.2 in
        // binary, and the first candle would start at 7.999999999999998 instead of 8.
        let margin = (self.slot_width - width) / 2.0;
        (self.start_exact(index) + margin, width)
    }
}

/// Most vertical grid lines [`spread_grid_columns`] gives.
pub const MAX_SPREAD_GRID_COLUMNS: usize = 20;

/// Columns of the vertical grid lines spread evenly over `count` slots: `k = min(20, n/10 + 1)`
/// lines at `trunc(i * (n / k) * slot)`, and none when `k` is 1 (fewer than 10 slots). Renko
/// charts and the SVG charts place their vertical grid lines this way.
pub fn spread_grid_columns(count: usize, slot_width: f64) -> impl Iterator<Item = i32> {
    let lines = MAX_SPREAD_GRID_COLUMNS.min(count / 10 + 1);
    let slots_per_line = count as f64 / lines as f64;
    let lines = if lines > 1 { lines } else { 0 };
    (0..lines).map(move |line| trunc(line as f64 * slots_per_line * slot_width))
}

#[cfg(test)]
mod exact_geometry_tests {
    use super::*;

    #[test]
    fn exact_rows_are_the_untruncated_batch_rows() {
        let scale = PriceScale::from_bounds(0.0, 3.0, 100);
        assert_eq!(scale.y_exact(3.0), 0.0);
        assert_eq!(scale.y_exact(0.0), 100.0);
        assert_eq!(scale.y_exact(1.0), 100.0 - 1.0 / 3.0 * 100.0);
        assert_eq!(scale.y_exact(1.0) as i32, scale.y(1.0, YRounding::Batch));
        assert_eq!(PriceScale::from_bounds(2.0, 2.0, 101).y_exact(2.0), 50.5);
    }

    #[test]
    fn exact_volume_heights_are_untruncated() {
        let volumes = VolumeScale::from_volumes([3.0, 1.0].into_iter(), 100);
        assert_eq!(volumes.height_exact(1.0), 1.0 / 3.0 * 100.0);
        assert_eq!(volumes.height_exact(f64::NAN), 0.0);
        let silent = VolumeScale::from_volumes([0.0].into_iter(), 100);
        assert_eq!(silent.height_exact(0.0), 0.0);
    }

    #[test]
    fn spans_are_centred_in_their_slots() {
        let slots = ItemSlots::new(1000, 9);
        assert_eq!(slots.start_exact(3), 300.0);
        assert_eq!(slots.center_exact(3), 350.0);
        assert_eq!(slots.span_exact(3, 0.8), (310.0, 80.0));
        assert_eq!(slots.span_exact(3, 0.5), (325.0, 50.0));
    }

    #[test]
    fn spread_grid_columns_need_ten_slots() {
        assert_eq!(spread_grid_columns(9, 10.0).count(), 0);
        let columns: Vec<i32> = spread_grid_columns(25, 10.0).collect();
        assert_eq!(columns, vec![0, 83, 166]);
        assert_eq!(spread_grid_columns(10_000, 0.1).count(), 20);
    }
}

#[cfg(test)]
mod item_geometry_tests {
    use super::*;

    #[test]
    fn item_slots_follow_the_original_formulas() {
        let slots = ItemSlots::new(1000, 9);
        assert_eq!(slots.center(0), 50);
        assert_eq!(slots.body(2), (210, 290));
        assert_eq!(slots.middle_half(1), (125, 175));
    }

    #[test]
    fn unit_fallback_maps_equal_bounds_to_the_bottom() {
        let scale = PriceScale::with_unit_fallback(5.0, 5.0, 100);
        assert!(!scale.is_flat());
        assert_eq!(scale.y(5.0, YRounding::Batch), 100);
        assert_eq!(scale.range(), 1.0);
        assert!(PriceScale::with_unit_fallback(f64::NAN, 1.0, 100).is_flat());
    }

    #[test]
    fn extremes_and_volumes_skip_what_the_caller_leaves_out() {
        let scale = PriceScale::from_extremes([(2.0, 4.0), (1.0, 3.0)].into_iter(), 30);
        assert_eq!(scale.y(4.0, YRounding::Batch), 0);
        assert_eq!(scale.y(1.0, YRounding::Batch), 30);
        let volumes = VolumeScale::from_volumes([1.0, f64::NAN, 4.0].into_iter(), 40);
        assert_eq!(volumes.height(2.0), 20);
    }

    #[test]
    fn price_only_panels_divide_the_whole_height() {
        let rows: Vec<i32> = Panels::price_only(100).grid_rows().collect();
        assert_eq!(rows, vec![10, 20, 30, 40, 50, 60, 70, 80, 90]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_outside_range_names_the_side_and_value() {
        let error = ChartSize::new(99, 500).unwrap_err();
        assert_eq!(
            error.to_string(),
            "width must be between 100 and 8192 pixels, got 99."
        );
        assert!(ChartSize::new(100, 8193)
            .unwrap_err()
            .to_string()
            .contains("height"));
        assert!(ChartSize::new(8192, 100).is_ok());
    }

    #[test]
    fn panels_use_float_products_like_the_original() {
        // 170 * 0.7 is 118.99999999999999 in binary floating point, not 119.
        assert_eq!(Panels::split(170).price_height, 118);
        assert_eq!(Panels::split(1080).price_height, 756);
        assert_eq!(Panels::split(1080).volume_height, 324);
    }

    #[test]
    fn the_two_roundings_differ_on_fractional_rows() {
        let scale = PriceScale::from_bounds(0.0, 3.0, 100);
        assert_eq!(scale.y(1.0, YRounding::Batch), 66);
        assert_eq!(scale.y(1.0, YRounding::Sequential), 67);
        assert_eq!(scale.y(3.0, YRounding::Batch), 0);
        assert_eq!(scale.y(0.0, YRounding::Sequential), 100);
    }

    #[test]
    fn flat_prices_map_to_the_middle() {
        let scale = PriceScale::from_bounds(5.0, 5.0, 101);
        assert!(scale.is_flat());
        assert_eq!(scale.y(5.0, YRounding::Batch), 50);
    }

    #[test]
    fn wick_width_is_capped_at_ten_percent() {
        let slots = CandleSlots::new(1000, 9, 0.5);
        // slot 100, bar 80: 10 % is 8.
        assert_eq!(slots.wick_width, 8);
        assert_eq!(CandleSlots::new(1000, 999, 0.1).wick_width, 1);
    }

    #[test]
    fn grid_columns_step_through_the_slots() {
        let columns: Vec<i32> = grid_columns(45, 10.0).collect();
        assert_eq!(
            columns,
            vec![
                0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220, 240, 260, 280, 300, 320, 340,
                360, 380, 400, 420, 440
            ]
        );
    }
}
