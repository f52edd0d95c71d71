//! The six chart types as SVG documents.
//!
//! Every chart is laid out with the shared geometry of [`crate::layout`] in its exact form
//! (coordinates are not truncated, unlike the pixels of [`crate::raster`]), and Renko bricks and
//! Point & Figure columns come from [`crate::transform`], so a chart's SVG and its raster image
//! agree. Each document is a root `<svg>`, an empty `<defs />`, a background `<rect>`, a
//! `<g id="grid">` when the grid is shown, one content group (`candles`, `ohlc_bars`, `line`,
//! `bricks` or `pnf_symbols`) and a `<g id="volume">` when there is a volume panel.
//!
//! Without volume the price panel takes the whole height (Renko charts keep the upper 70 %, and
//! Point & Figure charts always use the whole height). Rows whose prices are not all finite are
//! left out; equal prices lie across the middle of the panel; all-zero volume draws no bars.
//! Translucent colours are written as `#RRGGBB` plus a `fill-opacity` or `stroke-opacity`.
//!
//! Documents are written in one pass into one `String`; nothing is kept per candle.

use crate::errors::Result;
use crate::input::Ohlcv;
use crate::layout::{spread_grid_columns, ChartSize, ItemSlots, Panels, PriceScale, VolumeScale};
use crate::raster::candles::BodyStyle;
use crate::raster::line::LineSeries;
use crate::style::{Palette, Rgba};
use crate::transform::pnf::{self, ColumnKind, PnfColumn};
use crate::transform::renko::{self, Brick, Direction};
use crate::transform::{check_box_size, check_reversal_boxes, PriceRows};

use super::{opacity_of, AttrText, AttrValue, Element, Hex, SvgDocument};

/// Share of a slot covered by a candle body and a line-chart volume bar.
const BODY_SHARE: f64 = 0.8;
/// Share of a slot covered by an OHLC bar's volume bar.
const OHLC_VOLUME_SHARE: f64 = 0.5;
/// Length of an OHLC bar's open and close ticks, in slots.
const OHLC_TICK_SHARE: f64 = 0.4;
/// Share of a slot covered by a Renko brick (the original left 10 % of the slot free here,
/// not the 20 % of its other charts).
const BRICK_SHARE: f64 = 0.9;
/// Share of a column's width covered by a Point & Figure box.
const PNF_BOX_SHARE: f64 = 0.8;
/// Wick width as a share of the body width.
const WICK_SHARE: f64 = 0.1;
/// Thinnest wick, candle body and Renko brick, in pixels.
const MIN_STROKE: f64 = 1.0;
/// Shortest Point & Figure box, in pixels.
const MIN_PNF_BOX_HEIGHT: f64 = 10.0;
/// Stroke width of the X and O marks.
const PNF_STROKE: i32 = 2;
/// Opacity of the grid group (the themes' grid colours are about 25 % opaque).
const GRID_OPACITY: f64 = 0.25;
/// Opacity of the volume bars.
const VOLUME_OPACITY: f64 = 0.5;
/// Opacity of the area under a line.
const AREA_OPACITY: f64 = 0.2;
/// Rough bytes of markup per drawn item, to size the document once.
const BYTES_PER_ITEM: usize = 320;

const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";
const EVENTS_NAMESPACE: &str = "http://www.w3.org/2001/xml-events";
const XLINK_NAMESPACE: &str = "http://www.w3.org/1999/xlink";

/// What every SVG chart needs besides its data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SvgFrame {
    /// Document size in pixels.
    pub size: ChartSize,
    /// Colours, already resolved from theme and overrides; the grid's alpha is not used (the
    /// grid group has its own opacity).
    pub palette: Palette,
    /// Whether to draw the grid.
    pub show_grid: bool,
    /// Whether there is a volume panel. Without one the price panel takes the whole height.
    pub volume: bool,
}

impl SvgFrame {
    /// The price panel and, with volume, the volume panel under it.
    fn panels(&self) -> Panels {
        if self.volume {
            Panels::split(self.size.height)
        } else {
            Panels::price_only(self.size.height)
        }
    }
}

/// Everything a candlestick or hollow-candle document needs besides the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CandleSvgOptions {
    /// Size, colours, grid and volume panel.
    pub frame: SvgFrame,
    /// Filled or hollow rising bodies.
    pub body: BodyStyle,
}

/// Everything a line-chart document needs besides the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineSvgOptions {
    /// Size, colours, grid and volume panel; the line is drawn in the palette's `up` colour.
    pub frame: SvgFrame,
    /// Stroke width, already checked with [`crate::raster::line::check_line_width`].
    pub line_width: f64,
    /// Whether to fill the area under the line.
    pub fill_area: bool,
}

/// Everything a Renko or Point & Figure document needs besides the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxSvgOptions {
    /// Size, colours and grid; `volume` adds placeholder volume bars to Renko charts and is
    /// ignored by Point & Figure charts.
    pub frame: SvgFrame,
    /// Price step of one box; `None` picks it automatically as the raster charts do.
    pub box_size: Option<f64>,
    /// Boxes needed to reverse (1..=10).
    pub reversal_boxes: i64,
}

/// One volume bar, laid out.
#[derive(Debug, Clone, Copy)]
struct VolumeBar {
    left: f64,
    width: f64,
    height: f64,
    color: Rgba,
}

/// A candlestick (or, with [`BodyStyle::HollowRising`], hollow-candle) chart.
///
/// Each drawn candle is a wick `<line>` followed by a body `<rect>` at least one pixel tall,
/// in the up colour when `close >= open`, else the down colour.
pub fn candles_svg(data: &Ohlcv<'_>, options: &CandleSvgOptions) -> String {
    let frame = &options.frame;
    let panels = frame.panels();
    let slots = ItemSlots::new(frame.size.width, data.len());
    let prices = PriceScale::from_candles(data, panels.price_height);
    let bar_width = slots.span_exact(0, BODY_SHARE).1;
    let wick_width = (WICK_SHARE * bar_width).max(MIN_STROKE);

    let mut document = begin_document(frame, data.len());
    if frame.show_grid {
        write_grid(
            &mut document,
            frame,
            &panels,
            spread_grid_columns(data.len(), slots.slot_width),
        );
    }

    document.element("g").attr("id", "candles").open();
    for index in 0..data.len() {
        let Some([open, high, low, close]) = drawable_prices(data, index) else {
            continue;
        };
        let rising = close >= open;
        let color = rising_color(&frame.palette, rising);
        let (left, width) = slots.span_exact(index, BODY_SHARE);
        let center = left + width / 2.0;
        stroked(document.element("line"), color)
            .attr("stroke-width", wick_width)
            .attr("x1", center)
            .attr("x2", center)
            .attr("y1", prices.y_exact(high))
            .attr("y2", prices.y_exact(low))
            .close();

        let (y_open, y_close) = (prices.y_exact(open), prices.y_exact(close));
        let top = y_open.min(y_close);
        let height = (y_open - y_close).abs().max(MIN_STROKE);
        let body = document.element("rect");
        let body = if rising && options.body == BodyStyle::HollowRising {
            stroked(body.attr("fill", "none").attr("height", height), color).attr("stroke-width", 1)
        } else {
            filled(body, color).attr("height", height)
        };
        body.attr("width", width)
            .attr("x", left)
            .attr("y", top)
            .close();
    }
    document.end("g");

    if frame.volume {
        write_candle_volume(&mut document, data, frame, &panels, slots, BODY_SHARE);
    }
    finish_document(document)
}

/// An OHLC bar chart: per drawn row a high-low `<line>`, an open tick to the left and a close
/// tick to the right, one pixel wide.
pub fn ohlc_bars_svg(data: &Ohlcv<'_>, frame: &SvgFrame) -> String {
    let panels = frame.panels();
    let slots = ItemSlots::new(frame.size.width, data.len());
    let prices = PriceScale::from_candles(data, panels.price_height);
    let tick = OHLC_TICK_SHARE * slots.slot_width;

    let mut document = begin_document(frame, data.len());
    if frame.show_grid {
        write_grid(
            &mut document,
            frame,
            &panels,
            spread_grid_columns(data.len(), slots.slot_width),
        );
    }

    document.element("g").attr("id", "ohlc_bars").open();
    for index in 0..data.len() {
        let Some([open, high, low, close]) = drawable_prices(data, index) else {
            continue;
        };
        let color = rising_color(&frame.palette, close >= open);
        let center = slots.center_exact(index);
        let (y_open, y_close) = (prices.y_exact(open), prices.y_exact(close));
        let strokes = [
            (center, center, prices.y_exact(high), prices.y_exact(low)),
            (center - tick, center, y_open, y_open),
            (center, center + tick, y_close, y_close),
        ];
        for (x1, x2, y1, y2) in strokes {
            stroked(document.element("line"), color)
                .attr("stroke-width", 1)
                .attr("x1", x1)
                .attr("x2", x2)
                .attr("y1", y1)
                .attr("y2", y2)
                .close();
        }
    }
    document.end("g");

    if frame.volume {
        write_candle_volume(
            &mut document,
            data,
            frame,
            &panels,
            slots,
            OHLC_VOLUME_SHARE,
        );
    }
    finish_document(document)
}

/// A line chart of the closing prices: an optional translucent `<polygon>` down to the bottom
/// of the price panel, then a `<polyline>` with round joins (when at least two rows are
/// drawn). Rows whose high, low or close is not finite are left out and the line joins their
/// neighbours.
pub fn line_svg(series: &LineSeries<'_>, options: &LineSvgOptions) -> String {
    let frame = &options.frame;
    let panels = frame.panels();
    let slots = ItemSlots::new(frame.size.width, series.len());
    let drawable = || {
        (0..series.len()).filter(|&index| {
            [&series.high, &series.low, &series.close]
                .iter()
                .all(|column| column.get(index).is_finite())
        })
    };
    let prices = PriceScale::from_extremes(
        drawable().map(|index| (series.low.get(index), series.high.get(index))),
        panels.price_height,
    );
    let color = frame.palette.up;
    let write_points = |out: &mut AttrText<'_>| {
        for (position, index) in drawable().enumerate() {
            if position > 0 {
                out.text(" ");
            }
            out.number(slots.center_exact(index));
            out.text(",");
            out.number(prices.y_exact(series.close.get(index)));
        }
    };

    let mut document = begin_document(frame, series.len());
    if frame.show_grid {
        write_grid(
            &mut document,
            frame,
            &panels,
            spread_grid_columns(series.len(), slots.slot_width),
        );
    }

    document.element("g").attr("id", "line").open();
    let first = drawable().next();
    let last = drawable().next_back();
    if let (true, Some(first), Some(last)) = (options.fill_area, first, last) {
        let baseline = f64::from(panels.price_height);
        filled(document.element("polygon"), color)
            .attr("opacity", AREA_OPACITY)
            .attr_with("points", |out| {
                write_points(out);
                for index in [last, first] {
                    out.text(" ");
                    out.number(slots.center_exact(index));
                    out.text(",");
                    out.number(baseline);
                }
            })
            .close();
    }
    if drawable().nth(1).is_some() {
        let polyline = document
            .element("polyline")
            .attr("fill", "none")
            .attr_with("points", write_points)
            .attr("stroke", Hex(color))
            .attr("stroke-linecap", "round")
            .attr("stroke-linejoin", "round");
        polyline
            .attr_if("stroke-opacity", opacity_of(color))
            .attr("stroke-width", options.line_width)
            .close();
    }
    document.end("g");

    if frame.volume {
        let volumes = VolumeScale::from_volumes(
            drawable().map(|index| series.volume.get(index)),
            panels.volume_height,
        );
        let bars = drawable().map(|index| {
            let (left, width) = slots.span_exact(index, BODY_SHARE);
            VolumeBar {
                left,
                width,
                height: volumes.height_exact(series.volume.get(index)),
                color,
            }
        });
        write_volume(&mut document, frame, bars);
    }
    finish_document(document)
}

/// A Renko chart: one `<rect>` per brick in the upper 70 % of the document, whether or not
/// there is volume. The price axis spans the bricks widened by one box on each side; bricks are
/// at least one pixel tall. No bricks (including empty input) gives a background-only document.
///
/// With `frame.volume`, each brick gets a volume bar of half the volume panel's height, as the
/// original drew them: bricks do not map to rows, so the volume values are not used.
pub fn renko_svg(rows: &PriceRows<'_>, options: &BoxSvgOptions) -> Result<String> {
    let frame = &options.frame;
    let reversal_boxes = check_reversal_boxes(options.reversal_boxes)?;
    if let Some(explicit) = options.box_size {
        check_box_size(explicit)?;
    }
    if rows.is_empty() {
        return Ok(finish_document(begin_document(frame, 0)));
    }
    let box_size = renko::resolve_box_size(rows, options.box_size)?;
    let bricks = renko::build_bricks(rows, box_size, reversal_boxes)?;
    if bricks.is_empty() {
        return Ok(finish_document(begin_document(frame, 0)));
    }

    let panels = Panels::split(frame.size.height);
    let prices = padded_scale(
        bricks.iter().map(|brick| brick.price),
        box_size,
        panels.price_height,
    );
    let brick_height = box_height(box_size, &prices, panels.price_height, MIN_STROKE);
    let slots = ItemSlots::new(frame.size.width, bricks.len());

    let mut document = begin_document(frame, bricks.len());
    if frame.show_grid {
        write_grid(
            &mut document,
            frame,
            &panels,
            spread_grid_columns(bricks.len(), slots.slot_width),
        );
    }

    document.element("g").attr("id", "bricks").open();
    for (index, brick) in bricks.iter().enumerate() {
        let (left, width) = slots.span_exact(index, BRICK_SHARE);
        let edge = prices.y_exact(brick.price);
        // An up brick's price is its top edge, a down brick's its bottom edge.
        let top = match brick.direction {
            Direction::Up => edge,
            Direction::Down => edge - brick_height,
        };
        let color = brick_color(&frame.palette, brick);
        let rect = filled(document.element("rect"), color).attr("height", brick_height);
        stroked(rect, color)
            .attr("width", width)
            .attr("x", left)
            .attr("y", top)
            .close();
    }
    document.end("g");

    if frame.volume {
        let placeholder_height = f64::from(panels.volume_height / 2);
        let bars = bricks.iter().enumerate().map(|(index, brick)| {
            let (left, width) = slots.span_exact(index, BRICK_SHARE);
            VolumeBar {
                left,
                width,
                height: placeholder_height,
                color: brick_color(&frame.palette, brick),
            }
        });
        write_volume(&mut document, frame, bars);
    }
    Ok(finish_document(document))
}

/// A Point & Figure chart over the whole height: X columns as two crossed strokes in one
/// `<path>`, O columns as `<circle>`s, both 2 pixels wide. Each box is centred on its price;
/// the price axis spans the boxes widened by one box on each side, and boxes are at least 10
/// pixels tall. No columns (including empty input) gives a background-only document.
pub fn pnf_svg(rows: &PriceRows<'_>, options: &BoxSvgOptions) -> Result<String> {
    let frame = SvgFrame {
        volume: false,
        ..options.frame
    };
    let reversal_boxes = check_reversal_boxes(options.reversal_boxes)?;
    if let Some(explicit) = options.box_size {
        check_box_size(explicit)?;
    }
    if rows.is_empty() {
        return Ok(finish_document(begin_document(&frame, 0)));
    }
    let box_size = pnf::resolve_box_size(rows, options.box_size)?;
    let columns = pnf::build_columns(rows, box_size, reversal_boxes)?;
    if columns.is_empty() {
        return Ok(finish_document(begin_document(&frame, 0)));
    }

    let panels = frame.panels();
    let all_boxes = || {
        columns
            .iter()
            .flat_map(|column| column.boxes.iter().copied())
    };
    let prices = padded_scale(all_boxes(), box_size, panels.price_height);
    let slots = ItemSlots::new(frame.size.width, columns.len());
    let half_width = PNF_BOX_SHARE * slots.slot_width / 2.0;
    let half_height = box_height(box_size, &prices, panels.price_height, MIN_PNF_BOX_HEIGHT) / 2.0;

    let mut document = begin_document(&frame, all_boxes().count());
    if frame.show_grid {
        let boundaries = (0..=columns.len()).map(|column| slots.start_exact(column));
        write_grid(&mut document, &frame, &panels, boundaries);
    }

    document.element("g").attr("id", "pnf_symbols").open();
    for (index, column) in columns.iter().enumerate() {
        let center = slots.center_exact(index);
        for &price in &column.boxes {
            let middle = prices.y_exact(price);
            write_mark(
                &mut document,
                &frame.palette,
                column,
                (center, middle),
                (half_width, half_height),
            );
        }
    }
    document.end("g");
    Ok(finish_document(document))
}

/// The root element, the empty `<defs />` and the background.
fn begin_document(frame: &SvgFrame, items: usize) -> SvgDocument {
    let mut document = SvgDocument::with_capacity(1024 + items.saturating_mul(BYTES_PER_ITEM));
    document
        .element("svg")
        .attr("baseProfile", "full")
        .attr("height", frame.size.height)
        .attr("version", "1.1")
        .attr("width", frame.size.width)
        .attr("xmlns", SVG_NAMESPACE)
        .attr("xmlns:ev", EVENTS_NAMESPACE)
        .attr("xmlns:xlink", XLINK_NAMESPACE)
        .open();
    document.element("defs").close();
    filled(document.element("rect"), frame.palette.background)
        .attr("height", "100%")
        .attr("width", "100%")
        .attr("x", 0)
        .attr("y", 0)
        .close();
    document
}

fn finish_document(mut document: SvgDocument) -> String {
    document.end("svg");
    document.finish()
}

/// The grid group: a horizontal line across the whole width at each of the price panel's nine
/// grid rows, and a vertical line down the whole height at each of `columns`.
fn write_grid<X: AttrValue + Copy>(
    document: &mut SvgDocument,
    frame: &SvgFrame,
    panels: &Panels,
    columns: impl Iterator<Item = X>,
) {
    let ChartSize { width, height } = frame.size;
    document
        .element("g")
        .attr("id", "grid")
        .attr("opacity", GRID_OPACITY)
        .attr("stroke", Hex(frame.palette.grid))
        .attr("stroke-width", 1.0)
        .open();
    for row in panels.grid_rows() {
        document
            .element("line")
            .attr("x1", 0)
            .attr("x2", width)
            .attr("y1", row)
            .attr("y2", row)
            .close();
    }
    for column in columns {
        document
            .element("line")
            .attr("x1", column)
            .attr("x2", column)
            .attr("y1", 0)
            .attr("y2", height)
            .close();
    }
    document.end("g");
}

/// The volume group: one translucent `<rect>` per bar with a height above zero, standing on
/// the bottom edge.
fn write_volume(
    document: &mut SvgDocument,
    frame: &SvgFrame,
    bars: impl Iterator<Item = VolumeBar>,
) {
    let bottom = f64::from(frame.size.height);
    document.element("g").attr("id", "volume").open();
    for bar in bars.filter(|bar| bar.height > 0.0) {
        filled(document.element("rect"), bar.color)
            .attr("height", bar.height)
            .attr("opacity", VOLUME_OPACITY)
            .attr("width", bar.width)
            .attr("x", bar.left)
            .attr("y", bottom - bar.height)
            .close();
    }
    document.end("g");
}

/// One Point & Figure box centred on `center`: an X (two strokes in one path) or an O (a
/// circle as wide as the box).
fn write_mark(
    document: &mut SvgDocument,
    palette: &Palette,
    column: &PnfColumn,
    (x, y): (f64, f64),
    (half_width, half_height): (f64, f64),
) {
    let (left, right, top, bottom) = (
        x - half_width,
        x + half_width,
        y - half_height,
        y + half_height,
    );
    match column.kind {
        ColumnKind::X => {
            let path = document.element("path").attr_with("d", |out| {
                let corners = [
                    ("M ", left, top),
                    (" L ", right, bottom),
                    (" M ", left, bottom),
                    (" L ", right, top),
                ];
                for (command, corner_x, corner_y) in corners {
                    out.text(command);
                    out.number(corner_x);
                    out.text(" ");
                    out.number(corner_y);
                }
            });
            stroked(path.attr("fill", "none"), palette.up)
                .attr("stroke-width", PNF_STROKE)
                .close();
        }
        ColumnKind::O => {
            let circle = document
                .element("circle")
                .attr("cx", x)
                .attr("cy", y)
                .attr("fill", "none")
                .attr("r", half_width);
            stroked(circle, palette.down)
                .attr("stroke-width", PNF_STROKE)
                .close();
        }
    }
}

/// The volume group of a candle or OHLC bar chart: a bar under each drawn row, covering
/// `share` of its slot, in the colour of its candle.
fn write_candle_volume(
    document: &mut SvgDocument,
    data: &Ohlcv<'_>,
    frame: &SvgFrame,
    panels: &Panels,
    slots: ItemSlots,
    share: f64,
) {
    let volumes = VolumeScale::from_candles(data, panels.volume_height);
    let bars = (0..data.len()).filter_map(|index| {
        let [open, _, _, close] = drawable_prices(data, index)?;
        let (left, width) = slots.span_exact(index, share);
        Some(VolumeBar {
            left,
            width,
            height: volumes.height_exact(data.volume.get(index)),
            color: rising_color(&frame.palette, close >= open),
        })
    });
    write_volume(document, frame, bars);
}

/// The four prices of row `index` when all are finite, else `None` (the row is not drawn).
fn drawable_prices(data: &Ohlcv<'_>, index: usize) -> Option<[f64; 4]> {
    let prices = data.prices(index);
    prices
        .iter()
        .all(|price| price.is_finite())
        .then_some(prices)
}

/// The scale spanning `prices` widened by one box on each side (the SVG Renko and Point &
/// Figure charts always widen it, whether or not the box size was given).
fn padded_scale(prices: impl Iterator<Item = f64>, box_size: f64, panel_height: i32) -> PriceScale {
    PriceScale::from_extremes(
        prices.map(|price| (price - box_size, price + box_size)),
        panel_height,
    )
}

/// Height of one box on `prices`, at least `minimum`.
fn box_height(box_size: f64, prices: &PriceScale, panel_height: i32, minimum: f64) -> f64 {
    if prices.is_flat() {
        return minimum;
    }
    (box_size / prices.range() * f64::from(panel_height)).max(minimum)
}

fn rising_color(palette: &Palette, rising: bool) -> Rgba {
    if rising {
        palette.up
    } else {
        palette.down
    }
}

fn brick_color(palette: &Palette, brick: &Brick) -> Rgba {
    rising_color(palette, brick.direction == Direction::Up)
}

/// Adds `fill` (and `fill-opacity` for a translucent colour).
fn filled(element: Element<'_>, color: Rgba) -> Element<'_> {
    element
        .attr("fill", Hex(color))
        .attr_if("fill-opacity", opacity_of(color))
}

/// Adds `stroke` (and `stroke-opacity` for a translucent colour).
fn stroked(element: Element<'_>, color: Rgba) -> Element<'_> {
    element
        .attr("stroke", Hex(color))
        .attr_if("stroke-opacity", opacity_of(color))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Column;
    use crate::style::{Overrides, THEMES};

    fn frame(volume: bool) -> SvgFrame {
        SvgFrame {
            size: ChartSize {
                width: 400,
                height: 200,
            },
            palette: THEMES[0].1,
            show_grid: true,
            volume,
        }
    }

    fn count(document: &str, needle: &str) -> usize {
        document.matches(needle).count()
    }

    /// Four candles: rising, falling, NaN, rising doji.
    const OPEN: [f64; 4] = [10.0, 12.0, f64::NAN, 11.0];
    const HIGH: [f64; 4] = [12.0, 13.0, 12.0, 11.5];
    const LOW: [f64; 4] = [9.0, 10.0, 10.0, 10.5];
    const CLOSE: [f64; 4] = [11.0, 10.5, 11.0, 11.0];
    const VOLUME: [f64; 4] = [100.0, 50.0, 70.0, 0.0];

    fn candles(body: BodyStyle, volume: bool) -> String {
        let data = Ohlcv::new(
            Column::from_slice(&OPEN),
            Column::from_slice(&HIGH),
            Column::from_slice(&LOW),
            Column::from_slice(&CLOSE),
            Column::from_slice(&VOLUME),
        )
        .unwrap();
        candles_svg(
            &data,
            &CandleSvgOptions {
                frame: frame(volume),
                body,
            },
        )
    }

    #[test]
    fn a_document_has_root_defs_background_and_groups_in_order() {
        let document = candles(BodyStyle::Filled, true);
        assert!(document.starts_with(
            "<svg baseProfile=\"full\" height=\"200\" version=\"1.1\" width=\"400\" \
             xmlns=\"http://www.w3.org/2000/svg\" xmlns:ev=\"http://www.w3.org/2001/xml-events\" \
             xmlns:xlink=\"http://www.w3.org/1999/xlink\"><defs /><rect fill=\"#000000\" \
             height=\"100%\" width=\"100%\" x=\"0\" y=\"0\" /><g id=\"grid\" opacity=\"0.25\" \
             stroke=\"#333333\" stroke-width=\"1.0\"><line x1=\"0\" x2=\"400\" y1=\"14\" \
             y2=\"14\" />"
        ));
        assert!(document.ends_with("</g></svg>"));
        let grid = document.find("id=\"grid\"").unwrap();
        let candles = document.find("id=\"candles\"").unwrap();
        let volume = document.find("id=\"volume\"").unwrap();
        assert!(grid < candles && candles < volume);
    }

    #[test]
    fn candles_skip_nan_rows_and_scale_to_the_extremes() {
        let document = candles(BodyStyle::Filled, true);
        // Three drawable candles, nine horizontal grid lines and no vertical ones (< 10 slots).
        assert_eq!(count(&document, "<line "), 9 + 3);
        // Background, three bodies, two volume bars (the doji's volume is 0).
        assert_eq!(count(&document, "<rect "), 1 + 3 + 2);
        // Highest high (13) at y = 0 and lowest low (9) at y = ch = 140.
        assert!(document.contains("y1=\"0.0\" y2=\"105.0\""), "{document}");
        assert!(document.contains("y1=\"35.0\" y2=\"140.0\""), "{document}");
        // Slot 80 wide: the first body spans x 8..72, its wick is 6.4 wide at x 40.
        assert!(
            document.contains("stroke-width=\"6.4\" x1=\"40.0\" x2=\"40.0\""),
            "{document}"
        );
        assert!(
            document.contains("height=\"35.0\" width=\"64.0\" x=\"8.0\" y=\"70.0\""),
            "{document}"
        );
        // The tallest volume bar fills the 60-pixel panel.
        assert!(document
            .contains("height=\"60.0\" opacity=\"0.5\" width=\"64.0\" x=\"8.0\" y=\"140.0\""));
    }

    #[test]
    fn hollow_candles_outline_rising_bodies_only() {
        let document = candles(BodyStyle::HollowRising, false);
        assert_eq!(count(&document, "fill=\"none\""), 2);
        assert!(!document.contains("id=\"volume\""));
        // Without volume the lowest low sits on the bottom edge.
        assert!(document.contains("y2=\"200.0\""), "{document}");
    }

    #[test]
    fn translucent_overrides_get_an_opacity_attribute() {
        let data = Ohlcv::new(
            Column::from_slice(&OPEN),
            Column::from_slice(&HIGH),
            Column::from_slice(&LOW),
            Column::from_slice(&CLOSE),
            Column::from_slice(&VOLUME),
        )
        .unwrap();
        let overrides = Overrides {
            up: Some([0, 0, 255, 51]),
            ..Overrides::default()
        };
        let frame = SvgFrame {
            palette: Palette::resolve("classic", overrides, true),
            ..frame(false)
        };
        let document = ohlc_bars_svg(&data, &frame);
        assert_eq!(
            count(&document, "stroke=\"#0000FF\" stroke-opacity=\"0.2\""),
            6
        );
        assert_eq!(count(&document, "stroke=\"#FF0000\" stroke-width=\"1\""), 3);
    }

    #[test]
    fn line_points_follow_the_closes() {
        let series = LineSeries::new(
            Column::from_slice(&HIGH),
            Column::from_slice(&LOW),
            Column::from_slice(&CLOSE),
            Column::from_slice(&VOLUME),
        )
        .unwrap();
        let options = LineSvgOptions {
            frame: frame(true),
            line_width: 2.5,
            fill_area: true,
        };
        let document = line_svg(&series, &options);
        // Closes 11, 10.5, 11, 11 on the axis 9..13 over 140 rows; slot 80.
        assert!(document
            .contains("points=\"40.0,70.0 120.0,87.5 200.0,70.0 280.0,70.0\" stroke=\"#00FF00\""));
        assert!(
            document.contains(
                "points=\"40.0,70.0 120.0,87.5 200.0,70.0 280.0,70.0 \
                                   280.0,140.0 40.0,140.0\""
            ),
            "{document}"
        );
        assert!(document.contains("stroke-width=\"2.5\""), "{document}");
        assert_eq!(count(&document, "opacity=\"0.5\""), 3);
    }

    fn renko_rows() -> ([f64; 4], [f64; 4], [f64; 4]) {
        (
            [101.0, 104.0, 106.0, 104.0],
            [99.0, 101.0, 104.0, 102.0],
            [100.0, 103.0, 105.0, 102.0],
        )
    }

    #[test]
    fn renko_bricks_come_from_the_transform() {
        let (high, low, close) = renko_rows();
        let (high, low, close) = (
            Column::from_slice(&high),
            Column::from_slice(&low),
            Column::from_slice(&close),
        );
        let rows = PriceRows::new(&high, &low, &close).unwrap();
        let options = BoxSvgOptions {
            frame: frame(true),
            box_size: Some(2.0),
            reversal_boxes: 1,
        };
        let document = renko_svg(&rows, &options).unwrap();
        // Bricks 102, 104, 106 up then 104, 102 down; axis 100..108 over 140 rows.
        assert_eq!(count(&document, "stroke=\"#00FF00\""), 3);
        assert_eq!(count(&document, "stroke=\"#FF0000\""), 2);
        assert!(document.contains(
            "height=\"35.0\" stroke=\"#00FF00\" width=\"60.00000000000001\" x=\"3.333333333333332\" y=\"105.0\""
        ), "{document}");
        // Placeholder volume bars: half the 60-pixel panel each.
        assert_eq!(count(&document, "height=\"30.0\" opacity=\"0.5\""), 5);

        let bad = BoxSvgOptions {
            box_size: Some(-1.0),
            ..options
        };
        assert!(renko_svg(&rows, &bad).is_err());
    }

    #[test]
    fn pnf_marks_are_paths_and_circles() {
        let close = [
            100.0, 101.0, 103.0, 106.0, 104.0, 101.0, 99.0, 100.0, 103.0, 107.0,
        ];
        let high = close.map(|price| price + 0.5);
        let low = close.map(|price| price - 0.5);
        let (high, low, close) = (
            Column::from_slice(&high),
            Column::from_slice(&low),
            Column::from_slice(&close),
        );
        let rows = PriceRows::new(&high, &low, &close).unwrap();
        let options = BoxSvgOptions {
            frame: frame(true),
            box_size: Some(1.0),
            reversal_boxes: 3,
        };
        let document = pnf_svg(&rows, &options).unwrap();
        // X 101..106, O 105..99, X 100..107.
        assert_eq!(count(&document, "<path "), 6 + 8);
        assert_eq!(count(&document, "<circle "), 7);
        assert!(!document.contains("id=\"volume\""));
        // Nine grid rows plus four column boundaries.
        assert_eq!(count(&document, "<line "), 9 + 4);
        assert!(document.contains("<circle cx=\"150.0\""), "{document}");
    }

    #[test]
    fn no_bricks_gives_a_background_only_document() {
        let flat = [1.0, 1.0];
        let column = Column::from_slice(&flat);
        let rows = PriceRows::new(&column, &column, &column).unwrap();
        let options = BoxSvgOptions {
            frame: frame(true),
            box_size: Some(5.0),
            reversal_boxes: 1,
        };
        let document = renko_svg(&rows, &options).unwrap();
        assert_eq!(count(&document, "<rect "), 1);
        assert!(!document.contains("<g "));
        assert_eq!(count(&pnf_svg(&rows, &options).unwrap(), "<g "), 0);
    }
}
