//! Criterion benchmarks of the pure Rust core: candle rendering at several densities and the
//! encoders, without Python in the loop. Run with `cargo bench --bench render`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use kimsfinance_native::encode::{encode, EncodeOptions, ImageFormat, Pixels, Speed};
use kimsfinance_native::input::{Column, Ohlcv};
use kimsfinance_native::layout::ChartSize;
use kimsfinance_native::raster::candles::{render_candles, BodyStyle, CandleOptions};
use kimsfinance_native::raster::Channels;
use kimsfinance_native::style::Palette;

/// A deterministic random walk as five owned columns (open, high, low, close, volume).
fn random_walk(count: usize) -> [Vec<f64>; 5] {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut columns: [Vec<f64>; 5] = Default::default();
    let mut close = 100.0;
    for _ in 0..count {
        let open = close + uniform() - 0.5;
        close += uniform() * 2.0 - 1.0;
        columns[0].push(open);
        columns[1].push(open.max(close) + uniform());
        columns[2].push(open.min(close) - uniform());
        columns[3].push(close);
        columns[4].push(uniform() * 10_000.0);
    }
    columns
}

fn options() -> CandleOptions {
    CandleOptions {
        size: ChartSize::new(1920, 1080).expect("valid size"),
        palette: Palette::resolve("classic", Default::default(), true),
        channels: Channels::Rgba,
        show_grid: true,
        wick_width_ratio: 0.1,
        batch: None,
        body: BodyStyle::Filled,
    }
}

fn bench_candles(c: &mut Criterion) {
    let mut group = c.benchmark_group("candles_1920x1080");
    for count in [100usize, 1_000, 10_000, 100_000] {
        let columns = random_walk(count);
        let data = Ohlcv::new(
            Column::from_slice(&columns[0]),
            Column::from_slice(&columns[1]),
            Column::from_slice(&columns[2]),
            Column::from_slice(&columns[3]),
            Column::from_slice(&columns[4]),
        )
        .expect("valid data");
        group.bench_with_input(BenchmarkId::from_parameter(count), &data, |b, data| {
            b.iter(|| render_candles(data, &options()))
        });
    }
    group.finish();
}

fn bench_encoders(c: &mut Criterion) {
    let columns = random_walk(1_000);
    let data = Ohlcv::new(
        Column::from_slice(&columns[0]),
        Column::from_slice(&columns[1]),
        Column::from_slice(&columns[2]),
        Column::from_slice(&columns[3]),
        Column::from_slice(&columns[4]),
    )
    .expect("valid data");
    let canvas = render_candles(&data, &options());
    let pixels = Pixels {
        data: canvas.pixels(),
        width: 1920,
        height: 1080,
        channels: 4,
    };
    let mut group = c.benchmark_group("encode_1000_candles_1920x1080");
    group.sample_size(10);
    for (format, speed) in [
        (ImageFormat::WebP, Speed::Fast),
        (ImageFormat::WebP, Speed::Balanced),
        (ImageFormat::Png, Speed::Fast),
        (ImageFormat::Png, Speed::Balanced),
        (ImageFormat::Jpeg, Speed::Balanced),
    ] {
        let options = EncodeOptions {
            format,
            speed,
            quality: None,
        };
        let mut out = Vec::new();
        group.bench_function(format!("{}_{speed:?}", format.name()), |b| {
            b.iter(|| encode(pixels, &options, &mut out).expect("encodes"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_candles, bench_encoders);
criterion_main!(benches);
