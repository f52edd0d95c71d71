//! What every chart type shares besides its data: size, colours, output channels and whether a
//! grid is drawn, plus the full-height grid of the Renko and Point & Figure charts.

use crate::layout::{ChartSize, Panels};
use crate::raster::{Canvas, Channels};
use crate::style::Palette;

/// The options common to all charts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartFrame {
    /// Image size.
    pub size: ChartSize,
    /// Colours, already resolved from theme and overrides.
    pub palette: Palette,
    /// RGBA or RGB output.
    pub channels: Channels,
    /// Whether to draw the grid.
    pub show_grid: bool,
}

impl ChartFrame {
    /// A canvas of the frame's size filled with its background colour.
    pub fn blank_canvas(&self) -> Canvas {
        Canvas::new(self.size, self.channels, self.palette.background)
    }

    /// Nine horizontal lines dividing the price panel of `panels` in tenths, across the full
    /// width, and vertical lines at `columns` from the top to the bottom of the image.
    ///
    /// Renko and Point & Figure charts use this grid; the candle-style charts draw theirs
    /// only over the price panel.
    pub fn draw_full_height_grid(
        &self,
        canvas: &mut Canvas,
        panels: &Panels,
        columns: impl Iterator<Item = i32>,
    ) {
        let (width, height) = (self.size.width as i32, self.size.height as i32);
        for y in panels.grid_rows() {
            canvas.horizontal_line(y, 0, width, self.palette.grid);
        }
        canvas.vertical_lines(columns, 0, height, self.palette.grid);
    }
}
