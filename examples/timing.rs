//! Times the two candle painters against each other at several densities, to choose the
//! threshold in `Painter::for_density`. Run: `cargo run --release --example timing`.

use kimsfinance_native::input::{Column, Ohlcv};
use kimsfinance_native::layout::ChartSize;
use kimsfinance_native::raster::candles::{render_candles_with, BodyStyle, CandleOptions, Painter};
use kimsfinance_native::raster::Channels;
use kimsfinance_native::style::Palette;
use std::time::Instant;
fn main() {
    for count in [500usize, 1000, 2000, 5000, 10000, 100000] {
        let mut cols: [Vec<f64>; 5] = Default::default();
        let mut s = 1u64;
        let mut c = 100.0;
        for _ in 0..count {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let u = (s % 1000) as f64 / 1000.0;
            let o = c + u - 0.5;
            c += u * 2.0 - 1.0 + ((s >> 20) % 100) as f64 / 100.0 - 0.5;
            cols[0].push(o);
            cols[1].push(o.max(c) + u);
            cols[2].push(o.min(c) - u);
            cols[3].push(c);
            cols[4].push(u * 1000.0);
        }
        let d = Ohlcv::new(
            Column::from_slice(&cols[0]),
            Column::from_slice(&cols[1]),
            Column::from_slice(&cols[2]),
            Column::from_slice(&cols[3]),
            Column::from_slice(&cols[4]),
        )
        .unwrap();
        let o = CandleOptions {
            size: ChartSize::new(1920, 1080).unwrap(),
            palette: Palette::resolve("classic", Default::default(), true),
            channels: Channels::Rgba,
            show_grid: true,
            wick_width_ratio: 0.1,
            batch: None,
            body: BodyStyle::Filled,
        };
        for p in [Painter::Direct, Painter::Columns] {
            let reps = 20;
            let t = Instant::now();
            for _ in 0..reps {
                std::hint::black_box(render_candles_with(&d, &o, p));
            }
            println!("{count} {p:?} {:?}", t.elapsed() / reps);
        }
    }
}
