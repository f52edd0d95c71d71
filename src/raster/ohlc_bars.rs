//! OHLC bar charts: a high-low line per row with an open tick to the left and a close tick to
//! the right, over a volume panel.
//!
//! Geometry and colours are the original's: bars sit at `trunc((i + 0.5) * W/(n+1))`, ticks
//! reach 40 % of a slot from the (truncated) centre, volume bars cover the middle half of the
//! slot, and every rising bar (close >= open) is drawn before every falling one. Rows with a
//! non-finite price are skipped and do not stretch the price axis.
//!
//! Like the candles, bars are painted shape by shape when they are wide and column by column
//! ([`crate::raster::dense`]) when many share a pixel column; both give the same pixels.

use crate::input::Ohlcv;
use crate::layout::{candle_scales, trunc, ItemSlots, Panels, PriceScale, VolumeScale, YRounding};
use crate::raster::candles::{draw_grid, Painter};
use crate::raster::dense::{paint_columns, ColumnItems};
use crate::raster::frame::ChartFrame;
use crate::raster::Canvas;
use crate::style::Rgba;

/// Share of a slot each tick reaches out from the bar's centre.
const TICK_SHARE: f64 = 0.4;

/// One bar, laid out.
#[derive(Debug, Clone, Copy)]
struct BarShape {
    center: i32,
    tick_left: i32,
    tick_right: i32,
    high: i32,
    low: i32,
    open: i32,
    close: i32,
    volume_left: i32,
    volume_right: i32,
    volume_top: i32,
    color: Rgba,
    rising: bool,
}

/// The geometry of every bar of one chart, computed on demand (never stored per bar).
struct BarLayout<'d, 'a> {
    data: &'d Ohlcv<'a>,
    slots: ItemSlots,
    prices: PriceScale,
    volumes: VolumeScale,
    panels: Panels,
    frame: &'d ChartFrame,
}

impl BarLayout<'_, '_> {
    fn tick(&self) -> f64 {
        TICK_SHARE * self.slots.slot_width
    }

    /// The shape of bar `index`, or `None` when a price is not finite.
    fn shape(&self, index: usize) -> Option<BarShape> {
        let [open, high, low, close] = self.data.prices(index);
        if ![open, high, low, close]
            .iter()
            .all(|price| price.is_finite())
        {
            return None;
        }
        let y = |price: f64| self.prices.y(price, YRounding::Batch);
        let center = self.slots.center(index);
        let (volume_left, volume_right) = self.slots.middle_half(index);
        let rising = close >= open;
        Some(BarShape {
            center,
            tick_left: trunc(center as f64 - self.tick()),
            tick_right: trunc(center as f64 + self.tick()),
            high: y(high),
            low: y(low),
            open: y(open),
            close: y(close),
            volume_left,
            volume_right,
            volume_top: self.panels.height - self.volumes.height(self.data.volume.get(index)),
            color: if rising {
                self.frame.palette.up
            } else {
                self.frame.palette.down
            },
            rising,
        })
    }

    fn draw(&self, canvas: &mut Canvas, bar: &BarShape) {
        let color = bar.color;
        canvas.fill_rect(
            bar.center,
            bar.high.min(bar.low),
            bar.center,
            bar.high.max(bar.low),
            color,
        );
        canvas.horizontal_line(bar.open, bar.tick_left, bar.center, color);
        canvas.horizontal_line(bar.close, bar.center, bar.tick_right, color);
        // Row `height` is off the canvas, so a bar `h` rows tall shows exactly `h` rows.
        canvas.fill_rect(
            bar.volume_left,
            bar.volume_top,
            bar.volume_right,
            self.panels.height,
            color,
        );
    }
}

impl ColumnItems for BarLayout<'_, '_> {
    type Shape = BarShape;

    fn count(&self) -> usize {
        self.data.len()
    }

    fn columns(&self, index: usize) -> (i32, i32) {
        let center = self.slots.center(index);
        let (volume_left, volume_right) = self.slots.middle_half(index);
        let tick_left = trunc(center as f64 - self.tick());
        let tick_right = trunc(center as f64 + self.tick());
        (tick_left.min(volume_left), tick_right.max(volume_right))
    }

    fn shape(&self, index: usize) -> Option<BarShape> {
        BarLayout::shape(self, index)
    }

    fn pass(&self, bar: &BarShape) -> usize {
        usize::from(!bar.rising)
    }

    fn runs(&self, bar: &BarShape, x: i32, run: &mut impl FnMut(i32, i32, Rgba)) {
        let color = bar.color;
        // Reverse of the drawing order: volume bar, close tick, open tick, high-low line.
        if (bar.volume_left..=bar.volume_right).contains(&x) {
            run(bar.volume_top, self.panels.height, color);
        }
        if x == bar.center {
            // Every run of one bar has the bar's colour, so their order within the bar does
            // not matter, and a tick row inside the high-low line adds nothing in the centre
            // column. Skipping those (the usual case) halves the runs of dense charts.
            let (top, bottom) = (bar.high.min(bar.low), bar.high.max(bar.low));
            run(top, bottom, color);
            for tick in [bar.close, bar.open] {
                if tick < top || tick > bottom {
                    run(tick, tick, color);
                }
            }
            return;
        }
        if (bar.center..=bar.tick_right).contains(&x) {
            run(bar.close, bar.close, color);
        }
        if (bar.tick_left..=bar.center).contains(&x) {
            run(bar.open, bar.open, color);
        }
    }
}

/// Draws an OHLC bar chart.
pub fn render_ohlc_bars(data: &Ohlcv<'_>, frame: &ChartFrame) -> Canvas {
    render_ohlc_bars_with(
        data,
        frame,
        Painter::for_density(data.len(), frame.size.width),
    )
}

/// [`render_ohlc_bars`] with a chosen [`Painter`]; the pixels do not depend on it.
pub fn render_ohlc_bars_with(data: &Ohlcv<'_>, frame: &ChartFrame, painter: Painter) -> Canvas {
    let mut canvas = frame.blank_canvas();
    let panels = Panels::split(frame.size.height);
    // Both scales in one pass over the data.
    let (prices, volumes) = candle_scales(data, &panels);
    let layout = BarLayout {
        data,
        slots: ItemSlots::new(frame.size.width, data.len()),
        prices,
        volumes,
        panels,
        frame,
    };

    if frame.show_grid {
        draw_grid(
            &mut canvas.rows(),
            &panels,
            data.len(),
            layout.slots.slot_width,
            frame.palette,
        );
    }
    match painter {
        Painter::Columns => paint_columns(&mut canvas, &layout, 2),
        Painter::Direct => {
            for rising_pass in [true, false] {
                for bar in (0..data.len()).filter_map(|index| layout.shape(index)) {
                    if bar.rising == rising_pass {
                        layout.draw(&mut canvas, &bar);
                    }
                }
            }
        }
    }
    canvas
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Column;
    use crate::layout::ChartSize;
    use crate::raster::Channels;
    use crate::style::{Overrides, Palette};

    fn frame(width: u32, height: u32) -> ChartFrame {
        ChartFrame {
            size: ChartSize { width, height },
            palette: Palette::resolve("classic", Overrides::default(), true),
            channels: Channels::Rgba,
            show_grid: true,
        }
    }

    #[test]
    fn one_rising_bar_has_its_ticks_and_volume() {
        let (open, high, low, close, volume) = ([1.0], [3.0], [0.0], [2.0], [5.0]);
        let data = Ohlcv::new(
            Column::from_slice(&open),
            Column::from_slice(&high),
            Column::from_slice(&low),
            Column::from_slice(&close),
            Column::from_slice(&volume),
        )
        .unwrap();
        let mut frame = frame(200, 100);
        frame.show_grid = false;
        let canvas = render_ohlc_bars(&data, &frame);
        let green = [0, 255, 0, 255];
        // Slot 100: centre 50, ticks 40 wide; price panel 70 rows for prices 0..3.
        assert_eq!(canvas.pixel(50, 0), green);
        assert_eq!(canvas.pixel(50, 70), green);
        assert_eq!(canvas.pixel(10, 46), green); // open 1.0 -> trunc(70 - 23.3) = 46
        assert_eq!(canvas.pixel(90, 23), green); // close 2.0 -> trunc(70 - 46.7) = 23
        assert_eq!(canvas.pixel(9, 46), [0, 0, 0, 255]);
        // Volume fills the middle half of the slot over the 30-row panel.
        assert_eq!(canvas.pixel(25, 99), green);
        assert_eq!(canvas.pixel(75, 70), green);
        assert_eq!(canvas.pixel(24, 99), [0, 0, 0, 255]);
    }

    #[test]
    fn both_painters_give_the_same_pixels() {
        // A deterministic jagged walk, dense enough that bars share columns.
        for (count, width) in [(40, 400), (3_000, 300), (997, 640)] {
            let mut prices = [Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new()];
            for index in 0..count {
                let base = 100.0 + ((index * 37) % 23) as f64 - ((index * 11) % 7) as f64;
                let (open, close) = (
                    base + ((index * 5) % 3) as f64,
                    base + ((index * 3) % 4) as f64,
                );
                prices[0].push(open);
                // Every 13th bar has its high below the open, so its open tick lies outside
                // the high-low line and must still be drawn in the centre column.
                let high = open.max(close) + ((index * 7) % 5) as f64;
                prices[1].push(if index % 13 == 0 { open - 2.0 } else { high });
                prices[2].push(open.min(close) - ((index * 13) % 6) as f64);
                prices[3].push(if index % 17 == 0 { f64::NAN } else { close });
                prices[4].push(((index * 31) % 101) as f64);
            }
            let [open, high, low, close, volume] = &prices;
            let data = Ohlcv::new(
                Column::from_slice(open),
                Column::from_slice(high),
                Column::from_slice(low),
                Column::from_slice(close),
                Column::from_slice(volume),
            )
            .unwrap();
            let frame = frame(width, 300);
            let direct = render_ohlc_bars_with(&data, &frame, Painter::Direct);
            let columns = render_ohlc_bars_with(&data, &frame, Painter::Columns);
            assert!(
                direct.pixels() == columns.pixels(),
                "{count} bars over {width} pixels"
            );
        }
    }
}
