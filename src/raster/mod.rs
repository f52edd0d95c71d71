//! Raster stage: draws laid-out charts into pixel buffers.
//!
//! Each chart type takes borrowed input and options and returns a [`Canvas`] that owns its
//! pixels, ready to hand to Python or to an encoder without copying. Nothing here touches
//! Python, so callers run it with the GIL released.

pub mod candles;
pub mod canvas;
pub mod chart;
pub mod dense;
pub mod frame;
pub mod line;
pub mod ohlc_bars;
pub mod pnf;
pub mod renko;
mod share;
pub mod smooth;
pub mod strokes;

pub use canvas::{Canvas, Channels, Rows};
