//! Renders dense candle charts a few times, for instruction-count profiling with
//! `valgrind --tool=callgrind target/release/examples/dense_profile [count]`.

use kimsfinance_native::input::{Column, Ohlcv};
use kimsfinance_native::layout::ChartSize;
use kimsfinance_native::raster::candles::{render_candles, BodyStyle, CandleOptions};
use kimsfinance_native::raster::Channels;
use kimsfinance_native::style::Palette;

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(100_000);
    let mut columns: [Vec<f64>; 5] = Default::default();
    let (mut state, mut close) = (1u64, 100.0);
    for _ in 0..count {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let unit = (state % 1000) as f64 / 1000.0;
        let open = close + unit - 0.5;
        close += unit * 2.0 - 1.0;
        columns[0].push(open);
        columns[1].push(open.max(close) + unit);
        columns[2].push(open.min(close) - unit);
        columns[3].push(close);
        columns[4].push(unit * 1000.0);
    }
    let data = Ohlcv::new(
        Column::from_slice(&columns[0]),
        Column::from_slice(&columns[1]),
        Column::from_slice(&columns[2]),
        Column::from_slice(&columns[3]),
        Column::from_slice(&columns[4]),
    )
    .expect("valid data");
    let options = CandleOptions {
        size: ChartSize::new(1920, 1080).expect("valid size"),
        palette: Palette::resolve("classic", Default::default(), true),
        channels: Channels::Rgba,
        show_grid: true,
        wick_width_ratio: 0.1,
        batch: None,
        body: BodyStyle::Filled,
    };
    for _ in 0..3 {
        std::hint::black_box(render_candles(&data, &options));
    }
}
