//! Criterion benchmarks of the pure Rust core: every raster chart type at several densities and
//! the encoders, without Python in the loop. Run with `cargo bench --bench render`; a group
//! alone with `cargo bench --bench render -- <group>`.

use std::sync::atomic::AtomicBool;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use kimsfinance_native::batch::{self, Batch, Control, Output};
use kimsfinance_native::encode::{encode, EncodeOptions, ImageFormat, Pixels, Speed};
use kimsfinance_native::input::{Column, Ohlcv};
use kimsfinance_native::layout::ChartSize;
use kimsfinance_native::raster::candles::{render_candles, BodyStyle, CandleOptions};
use kimsfinance_native::raster::chart::{ChartData, ChartSpec};
use kimsfinance_native::raster::frame::ChartFrame;
use kimsfinance_native::raster::line::{render_line, LineOptions, LineSeries};
use kimsfinance_native::raster::ohlc_bars::render_ohlc_bars;
use kimsfinance_native::raster::pnf::{render_pnf, PnfOptions};
use kimsfinance_native::raster::renko::{render_renko, RenkoOptions};
use kimsfinance_native::raster::Channels;
use kimsfinance_native::style::Palette;
use kimsfinance_native::transform::PriceRows;

/// Row counts of the chart-type comparison: fewer rows than pixel columns, and many more.
const CHART_ROWS: [usize; 2] = [1_000, 100_000];

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

/// Borrowed views of the five columns of [`random_walk`].
fn ohlcv(columns: &[Vec<f64>; 5]) -> Ohlcv<'_> {
    Ohlcv::from_slices(columns.each_ref().map(Vec::as_slice)).expect("valid data")
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

/// The frame every other chart type is drawn in: the candles' size, colours and grid.
fn frame() -> ChartFrame {
    let candles = options();
    ChartFrame {
        size: candles.size,
        palette: candles.palette,
        channels: candles.channels,
        show_grid: candles.show_grid,
    }
}

fn bench_candles(c: &mut Criterion) {
    let mut group = c.benchmark_group("candles_1920x1080");
    for count in [100usize, 1_000, 10_000, 100_000] {
        let columns = random_walk(count);
        let data = ohlcv(&columns);
        group.bench_with_input(BenchmarkId::from_parameter(count), &data, |b, data| {
            b.iter(|| render_candles(data, &options()))
        });
    }
    group.finish();
}

fn bench_ohlc_bars(c: &mut Criterion) {
    let mut group = c.benchmark_group("ohlc_bars_1920x1080");
    for count in CHART_ROWS {
        let columns = random_walk(count);
        let data = ohlcv(&columns);
        group.bench_with_input(BenchmarkId::from_parameter(count), &data, |b, data| {
            b.iter(|| render_ohlc_bars(data, &frame()))
        });
    }
    group.finish();
}

/// The line chart with the Python API's defaults (2-pixel aliased line), with and without the
/// area under it.
fn bench_line(c: &mut Criterion) {
    for (name, fill_area) in [("line_1920x1080", false), ("line_fill_1920x1080", true)] {
        let mut group = c.benchmark_group(name);
        for count in CHART_ROWS {
            let [_, high, low, close, volume] = random_walk(count);
            let series = LineSeries::new(
                Column::from_slice(&high),
                Column::from_slice(&low),
                Column::from_slice(&close),
                Column::from_slice(&volume),
            )
            .expect("valid data");
            let options = LineOptions {
                frame: frame(),
                line_width: 2.0,
                fill_area,
                antialias: false,
            };
            group.bench_with_input(BenchmarkId::from_parameter(count), &series, |b, series| {
                b.iter(|| render_line(series, &options))
            });
        }
        group.finish();
    }
}

/// Renko and Point & Figure with the Python API's defaults (automatic box size); the time
/// includes turning the rows into bricks or columns.
fn bench_renko_and_pnf(c: &mut Criterion) {
    for name in ["renko_1920x1080", "pnf_1920x1080"] {
        let mut group = c.benchmark_group(name);
        for count in CHART_ROWS {
            let [_, high, low, close, _] = random_walk(count);
            let (high, low, close) = (
                Column::from_slice(&high),
                Column::from_slice(&low),
                Column::from_slice(&close),
            );
            let rows = PriceRows::new(&high, &low, &close).expect("valid data");
            group.bench_with_input(BenchmarkId::from_parameter(count), &rows, |b, rows| {
                if name.starts_with("renko") {
                    let options = RenkoOptions {
                        frame: frame(),
                        box_size: None,
                        reversal_boxes: 1,
                    };
                    b.iter(|| render_renko(rows, &options).expect("renders"))
                } else {
                    let options = PnfOptions {
                        frame: frame(),
                        box_size: None,
                        reversal_boxes: 3,
                        antialias: false,
                    };
                    b.iter(|| render_pnf(rows, &options).expect("renders"))
                }
            });
        }
        group.finish();
    }
}

fn bench_encoders(c: &mut Criterion) {
    let columns = random_walk(1_000);
    let data = ohlcv(&columns);
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

/// The batch engine on 1,000 small charts (100 candles, 300x200), pixels kept or WebP bytes,
/// on 1 and 2 threads: the engine's own parallel scaling, without Python around it.
fn bench_batch(c: &mut Criterion) {
    let walks: Vec<[Vec<f64>; 5]> = (0..1_000).map(|_| random_walk(100)).collect();
    let spec = ChartSpec::Candles(CandleOptions {
        size: ChartSize::new(300, 200).expect("valid size"),
        ..options()
    });
    let charts: Vec<ChartData<'_>> = walks
        .iter()
        .map(|columns| {
            let views = columns
                .iter()
                .map(|values| Column::from_slice(values))
                .collect();
            spec.prepare(views).expect("valid data")
        })
        .collect();
    let webp = EncodeOptions {
        format: ImageFormat::WebP,
        speed: Speed::Fast,
        quality: None,
    };
    let mut group = c.benchmark_group("batch_1000_charts_300x200");
    group.sample_size(10);
    for (name, output) in [
        ("pixels", Output::Pixels),
        ("webp_fast", Output::Bytes(webp)),
    ] {
        for threads in [1, 2] {
            let batch = Batch {
                charts: &charts,
                spec: &spec,
                output,
            };
            let cancel = AtomicBool::new(false);
            let control = Control {
                threads,
                cancel: &cancel,
                progress: None,
            };
            group.bench_function(format!("{name}_{threads}_threads"), |b| {
                b.iter(|| batch::run(&batch, &control).expect("renders"))
            });
        }
    }
    group.finish();
}

/// The fast WebP writer (a palette and copies, see `encode/vp8l.rs`) against the `image-webp`
/// encoder it replaced for images of at most 256 colours, on a small batch-sized chart and a
/// full-HD one.
fn bench_webp_fast(c: &mut Criterion) {
    let mut group = c.benchmark_group("webp_fast");
    group.sample_size(20);
    for (width, height, count) in [(300u32, 200u32, 100usize), (1920, 1080, 1_000)] {
        let columns = random_walk(count);
        let data = ohlcv(&columns);
        let mut chart = options();
        chart.size = ChartSize::new(i64::from(width), i64::from(height)).expect("valid size");
        let canvas = render_candles(&data, &chart);
        let pixels = Pixels {
            data: canvas.pixels(),
            width,
            height,
            channels: 4,
        };
        let options = EncodeOptions {
            format: ImageFormat::WebP,
            speed: Speed::Fast,
            quality: None,
        };
        let mut out = Vec::new();
        group.bench_function(format!("ours_{width}x{height}"), |b| {
            b.iter(|| {
                out.clear();
                encode(pixels, &options, &mut out).expect("encodes")
            })
        });
        group.bench_function(format!("image_webp_{width}x{height}"), |b| {
            b.iter(|| {
                out.clear();
                image_webp::WebPEncoder::new(&mut out)
                    .encode(pixels.data, width, height, image_webp::ColorType::Rgba8)
                    .expect("encodes")
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_webp_fast,
    bench_candles,
    bench_ohlc_bars,
    bench_line,
    bench_renko_and_pnf,
    bench_encoders,
    bench_batch
);
criterion_main!(benches);
