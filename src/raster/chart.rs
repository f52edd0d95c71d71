//! The one place that knows every raster chart type: which columns each reads, how those
//! columns are checked, and which renderer draws them.
//!
//! A [`ChartSpec`] is a chart type with all its options resolved; [`ChartSpec::prepare`] turns
//! borrowed columns into the checked [`ChartData`] that type reads, and [`ChartSpec::render`]
//! draws it. The batch engine works only through these two calls, so adding a chart type means
//! adding a variant here and nowhere else. Like the rest of the raster stage this never copies
//! the columns and never touches Python.

use crate::errors::{Error, Result};
use crate::input::{Column, Ohlcv};
use crate::layout::ChartSize;
use crate::raster::candles::{render_candles, CandleOptions};
use crate::raster::frame::ChartFrame;
use crate::raster::line::{render_line, LineOptions, LineSeries};
use crate::raster::ohlc_bars::render_ohlc_bars;
use crate::raster::pnf::{render_pnf, PnfOptions};
use crate::raster::renko::{render_renko, RenkoOptions};
use crate::raster::Canvas;
use crate::transform::PriceRows;

/// The columns of a chart with open, high, low, close and volume.
const OHLCV: &[&str] = &["open", "high", "low", "close", "volume"];
/// The columns of a line chart: it never reads the open price.
const HIGH_LOW_CLOSE_VOLUME: &[&str] = &["high", "low", "close", "volume"];
/// The columns of the Renko and Point & Figure charts, which read no volume.
const HIGH_LOW_CLOSE: &[&str] = &["high", "low", "close"];

/// A chart type together with every option it needs besides the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChartSpec {
    /// Candlesticks, filled or hollow, over a volume panel.
    Candles(CandleOptions),
    /// OHLC bars over a volume panel.
    OhlcBars(ChartFrame),
    /// A line through the closing prices over a volume panel.
    Line(LineOptions),
    /// Renko bricks.
    Renko(RenkoOptions),
    /// Point & Figure columns.
    Pnf(PnfOptions),
}

/// The checked columns of one chart, in the shape its chart type reads.
#[derive(Debug, Clone)]
pub enum ChartData<'a> {
    /// Open, high, low, close and volume of the same non-zero length, volume not negative.
    Ohlcv(Ohlcv<'a>),
    /// High, low, close and volume of the same non-zero length, volume not negative.
    Line(LineSeries<'a>),
    /// High, low and close of the same length, possibly empty.
    Prices(PriceRows<'a>),
}

impl ChartData<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ChartData::Ohlcv(data) => data.len(),
            ChartData::Line(series) => series.len(),
            ChartData::Prices(rows) => rows.len(),
        }
    }

    /// Whether there are no rows (only possible for Renko and Point & Figure data).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ChartSpec {
    /// A short name of the chart type, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            ChartSpec::Candles(_) => "candlestick",
            ChartSpec::OhlcBars(_) => "OHLC bar",
            ChartSpec::Line(_) => "line",
            ChartSpec::Renko(_) => "Renko",
            ChartSpec::Pnf(_) => "Point & Figure",
        }
    }

    /// Image size of every chart drawn from this spec.
    pub fn size(&self) -> ChartSize {
        match self {
            ChartSpec::Candles(options) => options.size,
            ChartSpec::OhlcBars(frame) => frame.size,
            ChartSpec::Line(options) => options.frame.size,
            ChartSpec::Renko(options) => options.frame.size,
            ChartSpec::Pnf(options) => options.frame.size,
        }
    }

    /// Names of the columns this chart type reads, in the order [`ChartSpec::prepare`] takes
    /// them.
    pub fn columns(&self) -> &'static [&'static str] {
        match self {
            ChartSpec::Candles(_) | ChartSpec::OhlcBars(_) => OHLCV,
            ChartSpec::Line(_) => HIGH_LOW_CLOSE_VOLUME,
            ChartSpec::Renko(_) | ChartSpec::Pnf(_) => HIGH_LOW_CLOSE,
        }
    }

    /// Fails with [`Error::InvalidValue`] unless `count` is the number of columns this chart
    /// type reads.
    pub fn check_column_count(&self, count: usize) -> Result<()> {
        let names = self.columns();
        if count == names.len() {
            return Ok(());
        }
        Err(Error::invalid(format!(
            "A {} chart reads {} columns ({}), got {count}.",
            self.name(),
            names.len(),
            names.join(", ")
        )))
    }

    /// Checks `columns` (in the order of [`ChartSpec::columns`]) the way this chart type's
    /// renderer needs them: equal lengths, and for the charts with a volume panel at least one
    /// row and no negative volume.
    pub fn prepare<'a>(&self, columns: Vec<Column<'a>>) -> Result<ChartData<'a>> {
        self.check_column_count(columns.len())?;

        let mut columns = columns.into_iter();
        let mut next = || columns.next().expect("the column count was checked above");
        match self {
            ChartSpec::Candles(_) | ChartSpec::OhlcBars(_) => {
                let (open, high, low, close, volume) = (next(), next(), next(), next(), next());
                Ok(ChartData::Ohlcv(Ohlcv::new(
                    open, high, low, close, volume,
                )?))
            }
            ChartSpec::Line(_) => {
                let (high, low, close, volume) = (next(), next(), next(), next());
                Ok(ChartData::Line(LineSeries::new(high, low, close, volume)?))
            }
            ChartSpec::Renko(_) | ChartSpec::Pnf(_) => {
                let (high, low, close) = (next(), next(), next());
                Ok(ChartData::Prices(PriceRows::new(&high, &low, &close)?))
            }
        }
    }

    /// Draws one chart of `data`, which must come from [`ChartSpec::prepare`] of a spec of the
    /// same chart type.
    ///
    /// Fails where the chart type's renderer fails (a Renko or Point & Figure box size that
    /// cannot be used), and with [`Error::InvalidValue`] when `data` has the wrong shape.
    pub fn render(&self, data: &ChartData<'_>) -> Result<Canvas> {
        match (self, data) {
            (ChartSpec::Candles(options), ChartData::Ohlcv(data)) => {
                Ok(render_candles(data, options))
            }
            (ChartSpec::OhlcBars(frame), ChartData::Ohlcv(data)) => {
                Ok(render_ohlc_bars(data, frame))
            }
            (ChartSpec::Line(options), ChartData::Line(series)) => Ok(render_line(series, options)),
            (ChartSpec::Renko(options), ChartData::Prices(rows)) => render_renko(rows, options),
            (ChartSpec::Pnf(options), ChartData::Prices(rows)) => render_pnf(rows, options),
            _ => Err(Error::invalid(format!(
                "A {} chart cannot draw data prepared for another chart type.",
                self.name()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::candles::BodyStyle;
    use crate::raster::Channels;
    use crate::style::{Overrides, Palette};

    fn frame() -> ChartFrame {
        ChartFrame {
            size: ChartSize::new(120, 100).unwrap(),
            palette: Palette::resolve("classic", Overrides::default(), true),
            channels: Channels::Rgba,
            show_grid: true,
        }
    }

    fn candles() -> ChartSpec {
        let frame = frame();
        ChartSpec::Candles(CandleOptions {
            size: frame.size,
            palette: frame.palette,
            channels: frame.channels,
            show_grid: frame.show_grid,
            wick_width_ratio: 0.1,
            batch: None,
            body: BodyStyle::Filled,
        })
    }

    const OPEN: [f64; 4] = [10.0, 11.0, 12.0, 11.0];
    const HIGH: [f64; 4] = [12.0, 13.0, 13.5, 12.0];
    const LOW: [f64; 4] = [9.0, 10.5, 11.0, 10.0];
    const CLOSE: [f64; 4] = [11.0, 12.0, 11.5, 10.5];
    const VOLUME: [f64; 4] = [100.0, 200.0, 150.0, 50.0];

    fn ohlcv_columns() -> Vec<Column<'static>> {
        [&OPEN, &HIGH, &LOW, &CLOSE, &VOLUME]
            .into_iter()
            .map(|values| Column::from_slice(values))
            .collect()
    }

    #[test]
    fn candles_match_the_direct_renderer() {
        let spec = candles();
        let data = spec.prepare(ohlcv_columns()).unwrap();
        let ChartSpec::Candles(options) = &spec else {
            unreachable!()
        };
        let ChartData::Ohlcv(ohlcv) = &data else {
            panic!("candles must prepare OHLCV data")
        };
        assert_eq!(
            spec.render(&data).unwrap().pixels(),
            render_candles(ohlcv, options).pixels()
        );
    }

    #[test]
    fn prepare_checks_the_column_count_and_lengths() {
        let spec = ChartSpec::OhlcBars(frame());
        let error = spec.prepare(ohlcv_columns()[..4].to_vec()).unwrap_err();
        assert!(error.to_string().contains("reads 5 columns"), "{error}");

        let mut columns = ohlcv_columns();
        columns[1] = Column::from_slice(&HIGH[..3]);
        let error = spec.prepare(columns).unwrap_err();
        assert_eq!(error.to_string(), "high has 3 values but open has 4.");
    }

    #[test]
    fn render_rejects_data_of_another_chart_type() {
        let renko = ChartSpec::Renko(RenkoOptions {
            frame: frame(),
            box_size: Some(0.5),
            reversal_boxes: 1,
        });
        let data = candles().prepare(ohlcv_columns()).unwrap();
        assert!(matches!(renko.render(&data), Err(Error::InvalidValue(_))));
    }

    #[test]
    fn price_charts_read_three_columns_and_accept_empty_input() {
        let pnf = ChartSpec::Pnf(PnfOptions {
            frame: frame(),
            box_size: None,
            reversal_boxes: 3,
            antialias: false,
        });
        assert_eq!(pnf.columns(), ["high", "low", "close"]);
        let empty: Vec<Column<'_>> = (0..3).map(|_| Column::from_slice(&[])).collect();
        let data = pnf.prepare(empty).unwrap();
        assert!(data.is_empty());
        let canvas = pnf.render(&data).unwrap();
        assert_eq!((canvas.width(), canvas.height()), (120, 100));
    }
}
