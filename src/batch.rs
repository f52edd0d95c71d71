//! Batch stage: draws many charts of one type on a pool of worker threads, and encodes or
//! writes each as soon as it is drawn.
//!
//! This stage owns the worker pool, the order of the results, cancellation and the naming of a
//! failed chart. Each worker takes one chart at a time: it draws it through
//! [`ChartSpec::render`], then, depending on the [`Output`], keeps the pixels, encodes them
//! into the worker's own reusable buffer and keeps a copy of the bytes, or writes the bytes to
//! the chart's file with [`write_atomic`]. A chart written to a file is dropped at once, so the
//! memory of a file batch depends on the number of workers, not the number of charts.
//!
//! Results come back in input order and do not depend on the number of threads: every chart is
//! drawn by itself, from its own data, with the same code as a single chart.
//!
//! It must never touch Python, copy the input columns, or let a panic escape a worker: a panic
//! becomes an [`Error::Engine`] naming the chart. The caller owns the cancel flag and the
//! progress channel; the binding layer polls them from the calling thread, with the GIL, while
//! the workers run without it.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::encode::{encode, write_atomic, EncodeOptions, Pixels};
use crate::errors::{Error, Result};
use crate::raster::canvas::release_spare_frame;
use crate::raster::chart::{ChartData, ChartSpec};
use crate::raster::Canvas;
use crate::stats::{self, Engine, Event, Operation};

/// Most worker threads one batch uses; larger requests are lowered to this. Drawing is
/// CPU-bound, so threads beyond the cores only help while files are being flushed to disk.
pub const MAX_THREADS: usize = 256;

/// Where one chart of a file batch goes, and how it is encoded.
#[derive(Debug, Clone, PartialEq)]
pub struct FileTarget {
    /// The file to write; its folder must exist.
    pub path: PathBuf,
    /// Format and speed of the file.
    pub encoding: EncodeOptions,
}

/// What the batch makes of each drawn chart.
#[derive(Debug, Clone, Copy)]
pub enum Output<'a> {
    /// Keep the pixels.
    Pixels,
    /// Encode every chart the same way and keep the bytes.
    Bytes(EncodeOptions),
    /// Encode each chart for its target and write it there; one target per chart.
    Files(&'a [FileTarget]),
}

/// The result of one chart.
#[derive(Debug)]
pub enum Rendered {
    /// The drawn pixels ([`Output::Pixels`]).
    Pixels(Canvas),
    /// The encoded image, exactly as long as its bytes ([`Output::Bytes`]).
    Bytes(Vec<u8>),
    /// The chart is in its file ([`Output::Files`]).
    Written,
}

/// How a batch ended when no chart failed.
#[derive(Debug)]
pub enum Outcome {
    /// Every chart was done; one result per chart, in input order.
    Finished(Vec<Rendered>),
    /// The caller raised the cancel flag before every chart was done. Charts already written
    /// to files stay there.
    Cancelled,
}

/// The charts of a batch and what to make of them.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    /// The checked data of every chart, from [`ChartSpec::prepare`] of `spec`.
    pub charts: &'a [ChartData<'a>],
    /// The chart type and options every chart is drawn with.
    pub spec: &'a ChartSpec,
    /// Pixels, bytes or files.
    pub output: Output<'a>,
}

/// How the caller steers a running batch.
#[derive(Debug, Clone, Copy)]
pub struct Control<'a> {
    /// Worker threads to use, 1 or more (at most [`MAX_THREADS`] are used).
    pub threads: usize,
    /// Checked by each worker before it starts a chart; the batch stops once it is set. The
    /// batch sets it itself when a chart fails, so that the other workers stop too.
    pub cancel: &'a AtomicBool,
    /// Receives the number of finished charts each time one finishes, when given.
    pub progress: Option<&'a Sender<usize>>,
}

/// Draws every chart of `batch` with `control.threads` workers.
///
/// Returns the results in input order, or [`Outcome::Cancelled`] when the cancel flag was
/// raised from outside. When a chart fails, the workers stop starting new charts and the error
/// of the lowest-numbered failed chart is returned, of the same kind as the renderer's or
/// encoder's error, its message starting "dataset N: ". Files written before the failure stay;
/// no file is ever left half-written.
pub fn run(batch: &Batch<'_>, control: &Control<'_>) -> Result<Outcome> {
    batch.check()?;
    let pool = thread_pool(control.threads)?;

    let started = Instant::now();
    let finished = AtomicUsize::new(0);
    let produced_bytes = AtomicU64::new(0);
    let failure: Mutex<Option<(usize, Error)>> = Mutex::new(None);

    let results: Vec<Option<Rendered>> = pool.install(|| {
        batch
            .charts
            .par_iter()
            .enumerate()
            .map_init(Vec::new, |buffer, (index, data)| {
                if control.cancel.load(Ordering::Relaxed) {
                    return None;
                }
                match draw_one(batch, index, data, buffer) {
                    Ok((rendered, bytes)) => {
                        produced_bytes.fetch_add(bytes, Ordering::Relaxed);
                        let done = finished.fetch_add(1, Ordering::Relaxed) + 1;
                        if let Some(progress) = control.progress {
                            // A caller that stopped listening still gets its charts.
                            let _ = progress.send(done);
                        }
                        Some(rendered)
                    }
                    Err(error) => {
                        control.cancel.store(true, Ordering::Relaxed);
                        keep_first_failure(&failure, index, error);
                        None
                    }
                }
            })
            .collect()
    });

    // The workers' reused frames belong to this batch only.
    pool.broadcast(|_| release_spare_frame());

    if let Some((_, error)) = failure.into_inner().unwrap_or_else(PoisonError::into_inner) {
        return Err(error);
    }
    let Some(results) = results.into_iter().collect::<Option<Vec<_>>>() else {
        return Ok(Outcome::Cancelled);
    };
    stats::record(Event {
        operation: Operation::Batch,
        engine: Engine::Cpu,
        duration: started.elapsed(),
        items: results.len() as u64,
        bytes: produced_bytes.into_inner(),
    });
    Ok(Outcome::Finished(results))
}

/// Puts `"dataset {index}: "` in front of the message of `error`, keeping its kind (and so the
/// Python exception class it becomes).
pub fn for_dataset(index: usize, error: Error) -> Error {
    let name = |message: String| format!("dataset {index}: {message}");
    match error {
        Error::InvalidValue(message) => Error::InvalidValue(name(message)),
        Error::DataValidation(message) => Error::DataValidation(name(message)),
        Error::WrongType(message) => Error::WrongType(name(message)),
        Error::Encode(message) => Error::Encode(name(message)),
        Error::Io { context, source } => Error::Io {
            context: name(context),
            source,
        },
        Error::GpuNotAvailable(message) => Error::GpuNotAvailable(name(message)),
        Error::GpuFailed(message) => Error::GpuFailed(name(message)),
        Error::Engine(message) => Error::Engine(name(message)),
        Error::NotSupported(message) => Error::NotSupported(name(message)),
        Error::Configuration(message) => Error::Configuration(name(message)),
    }
}

/// The worker pool for `threads` threads (lowered to [`MAX_THREADS`]).
///
/// Only the pool of the most recent thread count is kept, so a program that keeps asking for
/// the same count pays for starting the threads once, and one that varies it never holds more
/// than one idle pool.
pub fn thread_pool(threads: usize) -> Result<Arc<ThreadPool>> {
    if threads == 0 {
        return Err(Error::invalid("num_workers must be at least 1, got 0."));
    }
    let threads = threads.min(MAX_THREADS);
    let process = std::process::id();

    let mut last = LAST_POOL.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(cached) = last.as_ref() {
        if cached.threads == threads && cached.process == process {
            return Ok(Arc::clone(&cached.pool));
        }
    }
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|index| format!("kimsfinance-batch-{index}"))
        .build()
        .map_err(|error| {
            Error::Engine(format!(
                "Could not start {threads} worker threads: {error}."
            ))
        })?;
    let replaced = last.replace(CachedPool {
        threads,
        process,
        pool: Arc::new(pool),
    });
    if let Some(stale) = replaced {
        if stale.process != process {
            // A pool inherited through fork() has no threads in this process; dropping it
            // would signal threads that do not exist, so it is leaked instead (once per fork).
            std::mem::forget(stale);
        }
    }
    Ok(Arc::clone(
        &last.as_ref().expect("a pool was just stored").pool,
    ))
}

/// The pool [`thread_pool`] keeps, with what it was built for.
struct CachedPool {
    threads: usize,
    /// The process that started the threads; a child made by fork() must not use them.
    process: u32,
    pool: Arc<ThreadPool>,
}

static LAST_POOL: Mutex<Option<CachedPool>> = Mutex::new(None);

impl Batch<'_> {
    /// Checks what the types cannot: one file target per chart. [`run`] checks this first;
    /// callers may check earlier, before they start a thread.
    pub fn check(&self) -> Result<()> {
        if let Output::Files(targets) = self.output {
            if targets.len() != self.charts.len() {
                return Err(Error::invalid(format!(
                    "Length mismatch: datasets has {} items, but output_paths has {} items.",
                    self.charts.len(),
                    targets.len()
                )));
            }
        }
        Ok(())
    }
}

/// Draws chart `index` and makes its output; returns it with the number of bytes produced.
/// `buffer` is the worker's encode buffer, reused from chart to chart.
fn draw_one(
    batch: &Batch<'_>,
    index: usize,
    data: &ChartData<'_>,
    buffer: &mut Vec<u8>,
) -> Result<(Rendered, u64)> {
    catch_unwind(AssertUnwindSafe(|| {
        let canvas = render_timed(batch.spec, data)?;
        match batch.output {
            Output::Pixels => {
                let bytes = canvas.pixels().len() as u64;
                Ok((Rendered::Pixels(canvas), bytes))
            }
            Output::Bytes(encoding) => {
                encode_timed(&canvas, &encoding, buffer)?;
                canvas.recycle();
                Ok((Rendered::Bytes(buffer.to_vec()), buffer.len() as u64))
            }
            Output::Files(targets) => {
                let target = &targets[index];
                encode_timed(&canvas, &target.encoding, buffer)?;
                canvas.recycle();
                write_atomic(&target.path, buffer)?;
                Ok((Rendered::Written, buffer.len() as u64))
            }
        }
    }))
    .unwrap_or_else(|payload| {
        Err(Error::Engine(format!(
            "Internal error in the native core: {}",
            panic_message(payload.as_ref())
        )))
    })
    .map_err(|error| for_dataset(index, error))
}

/// Draws one chart and reports it to the statistics, like a single-chart render.
fn render_timed(spec: &ChartSpec, data: &ChartData<'_>) -> Result<Canvas> {
    let started = Instant::now();
    let canvas = spec.render(data)?;
    stats::record(Event {
        operation: Operation::Render,
        engine: Engine::Cpu,
        duration: started.elapsed(),
        items: data.len() as u64,
        bytes: canvas.pixels().len() as u64,
    });
    Ok(canvas)
}

/// Encodes `canvas` into `out` and reports it to the statistics, like a single-chart encode.
fn encode_timed(canvas: &Canvas, encoding: &EncodeOptions, out: &mut Vec<u8>) -> Result<()> {
    let started = Instant::now();
    let pixels = Pixels {
        data: canvas.pixels(),
        width: canvas.width(),
        height: canvas.height(),
        channels: canvas.channels() as u8,
    };
    encode(pixels, encoding, out)?;
    stats::record(Event {
        operation: Operation::Encode,
        engine: Engine::Cpu,
        duration: started.elapsed(),
        items: u64::from(pixels.width) * u64::from(pixels.height),
        bytes: out.len() as u64,
    });
    Ok(())
}

/// Keeps the error of the lowest-numbered chart, so that the same bad input gives the same
/// message whichever worker reached it first.
fn keep_first_failure(failure: &Mutex<Option<(usize, Error)>>, index: usize, error: Error) {
    let mut kept = failure.lock().unwrap_or_else(PoisonError::into_inner);
    let earlier = match kept.as_ref() {
        Some((first, _)) => index < *first,
        None => true,
    };
    if earlier {
        *kept = Some((index, error));
    }
}

/// The text of a panic payload (`panic!` with a literal or a formatted message).
fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{ImageFormat, Speed};
    use crate::input::Column;
    use crate::layout::ChartSize;
    use crate::raster::candles::{BodyStyle, CandleOptions};
    use crate::raster::frame::ChartFrame;
    use crate::raster::renko::RenkoOptions;
    use crate::raster::Channels;
    use crate::style::{Overrides, Palette};
    use std::sync::mpsc;

    const ROWS: usize = 60;

    /// Columns of `count` random-walk charts: open, high, low, close, volume each.
    fn walks(count: usize) -> Vec<[Vec<f64>; 5]> {
        let mut seed = 7_u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..count)
            .map(|_| {
                let mut close = 100.0;
                let mut columns: [Vec<f64>; 5] = Default::default();
                for _ in 0..ROWS {
                    let open = close;
                    close += next() * 4.0 - 2.0;
                    columns[0].push(open);
                    columns[1].push(open.max(close) + next());
                    columns[2].push(open.min(close) - next());
                    columns[3].push(close);
                    columns[4].push(next() * 1000.0);
                }
                columns
            })
            .collect()
    }

    fn candle_spec() -> ChartSpec {
        ChartSpec::Candles(CandleOptions {
            size: ChartSize::new(160, 120).unwrap(),
            palette: Palette::resolve("modern", Overrides::default(), true),
            channels: Channels::Rgba,
            show_grid: true,
            wick_width_ratio: 0.1,
            batch: None,
            body: BodyStyle::Filled,
        })
    }

    fn prepare<'a>(spec: &ChartSpec, walks: &'a [[Vec<f64>; 5]]) -> Vec<ChartData<'a>> {
        walks
            .iter()
            .map(|columns| {
                let columns = columns.iter().map(|values| Column::from_slice(values));
                let wanted: Vec<Column<'a>> = match spec.columns().len() {
                    5 => columns.collect(),
                    _ => columns.skip(1).take(3).collect(),
                };
                spec.prepare(wanted).unwrap()
            })
            .collect()
    }

    fn run_with(batch: &Batch<'_>, threads: usize) -> Result<Outcome> {
        let cancel = AtomicBool::new(false);
        run(
            batch,
            &Control {
                threads,
                cancel: &cancel,
                progress: None,
            },
        )
    }

    fn finished(outcome: Result<Outcome>) -> Vec<Rendered> {
        match outcome.unwrap() {
            Outcome::Finished(results) => results,
            Outcome::Cancelled => panic!("the batch was not cancelled"),
        }
    }

    #[test]
    fn results_are_in_order_and_identical_for_any_thread_count() {
        let walks = walks(24);
        let spec = candle_spec();
        let charts = prepare(&spec, &walks);
        let batch = Batch {
            charts: &charts,
            spec: &spec,
            output: Output::Pixels,
        };
        let expected: Vec<Vec<u8>> = charts
            .iter()
            .map(|data| spec.render(data).unwrap().into_pixels())
            .collect();

        for threads in [1, 2, 8] {
            let pixels: Vec<Vec<u8>> = finished(run_with(&batch, threads))
                .into_iter()
                .map(|rendered| match rendered {
                    Rendered::Pixels(canvas) => canvas.into_pixels(),
                    other => panic!("expected pixels, got {other:?}"),
                })
                .collect();
            assert!(pixels == expected, "{threads} threads changed the pixels");
        }
    }

    #[test]
    fn bytes_are_the_encoded_pixels() {
        let walks = walks(3);
        let spec = candle_spec();
        let charts = prepare(&spec, &walks);
        let encoding = EncodeOptions {
            format: ImageFormat::Png,
            speed: Speed::Fast,
            quality: None,
        };
        let batch = Batch {
            charts: &charts,
            spec: &spec,
            output: Output::Bytes(encoding),
        };
        for (data, rendered) in charts.iter().zip(finished(run_with(&batch, 2))) {
            let canvas = spec.render(data).unwrap();
            let mut expected = Vec::new();
            encode_timed(&canvas, &encoding, &mut expected).unwrap();
            match rendered {
                Rendered::Bytes(bytes) => assert_eq!(bytes, expected),
                other => panic!("expected bytes, got {other:?}"),
            }
        }
    }

    #[test]
    fn workers_reuse_one_frame_each_and_free_it_when_the_batch_ends() {
        // Charts of two sizes, so that a spare frame too small for the next chart is replaced.
        let walks = walks(40);
        let small = candle_spec();
        let ChartSpec::Candles(options) = small else {
            unreachable!()
        };
        let large = ChartSpec::Candles(CandleOptions {
            size: ChartSize::new(400, 300).unwrap(),
            ..options
        });
        let encoding = EncodeOptions {
            format: ImageFormat::Png,
            speed: Speed::Fast,
            quality: None,
        };
        for spec in [small, large, small] {
            let charts = prepare(&spec, &walks);
            let batch = Batch {
                charts: &charts,
                spec: &spec,
                output: Output::Bytes(encoding),
            };
            let results = finished(run_with(&batch, 2));
            for (data, rendered) in charts.iter().zip(results) {
                let mut expected = Vec::new();
                encode_timed(&spec.render(data).unwrap(), &encoding, &mut expected).unwrap();
                assert!(matches!(rendered, Rendered::Bytes(bytes) if bytes == expected));
            }
            let pool = thread_pool(2).unwrap();
            let held = pool.broadcast(|_| crate::raster::canvas::holds_spare_frame());
            assert_eq!(
                held,
                vec![false, false],
                "a worker kept its frame after the batch"
            );
        }
    }

    #[test]
    fn a_failed_chart_is_named_and_stops_the_batch() {
        let walks = walks(40);
        // A box this small gives more bricks than a Renko chart allows, for every chart.
        let spec = ChartSpec::Renko(RenkoOptions {
            frame: ChartFrame {
                size: ChartSize::new(160, 120).unwrap(),
                palette: Palette::resolve("classic", Overrides::default(), false),
                channels: Channels::Rgb,
                show_grid: false,
            },
            box_size: Some(1e-9),
            reversal_boxes: 1,
        });
        let charts = prepare(&spec, &walks);
        let batch = Batch {
            charts: &charts,
            spec: &spec,
            output: Output::Pixels,
        };
        let error = run_with(&batch, 1).unwrap_err();
        assert!(matches!(error, Error::InvalidValue(_)), "{error:?}");
        assert!(error.to_string().starts_with("dataset 0: "), "{error}");
    }

    #[test]
    fn a_raised_cancel_flag_stops_the_batch_and_progress_counts_up() {
        let walks = walks(30);
        let spec = candle_spec();
        let charts = prepare(&spec, &walks);
        let batch = Batch {
            charts: &charts,
            spec: &spec,
            output: Output::Pixels,
        };

        let (sender, receiver) = mpsc::channel();
        let cancel = AtomicBool::new(false);
        let control = Control {
            threads: 2,
            cancel: &cancel,
            progress: Some(&sender),
        };
        assert!(matches!(run(&batch, &control), Ok(Outcome::Finished(_))));
        let mut counts: Vec<usize> = receiver.try_iter().collect();
        counts.sort_unstable();
        assert_eq!(counts, (1..=30).collect::<Vec<_>>());

        cancel.store(true, Ordering::Relaxed);
        assert!(matches!(run(&batch, &control), Ok(Outcome::Cancelled)));
        assert_eq!(receiver.try_iter().count(), 0);
    }

    #[test]
    fn file_targets_must_match_the_charts() {
        let walks = walks(2);
        let spec = candle_spec();
        let charts = prepare(&spec, &walks);
        let batch = Batch {
            charts: &charts,
            spec: &spec,
            output: Output::Files(&[]),
        };
        let error = run_with(&batch, 1).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Length mismatch: datasets has 2 items, but output_paths has 0 items."
        );
    }

    #[test]
    fn the_pool_of_the_last_thread_count_is_reused() {
        // Other tests ask for other thread counts at the same time, so the two calls may be
        // separated by a rebuild; the pool must still have the asked-for size.
        let first = thread_pool(3).unwrap();
        assert_eq!(first.current_num_threads(), 3);
        let reused =
            (0..100).any(|_| Arc::ptr_eq(&thread_pool(3).unwrap(), &thread_pool(3).unwrap()));
        assert!(reused, "the pool was rebuilt on every call");
        assert!(thread_pool(0).is_err());
    }

    #[test]
    fn panics_become_engine_errors() {
        let caught = catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
        assert_eq!(panic_message(caught.as_ref()), "boom 1");
        let named = for_dataset(4, Error::data("high has 9 values but open has 10."));
        assert_eq!(
            named.to_string(),
            "dataset 4: high has 9 values but open has 10."
        );
        assert!(matches!(named, Error::DataValidation(_)));
    }
}
