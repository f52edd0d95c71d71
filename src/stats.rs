//! Performance statistics: the narrow interface every native operation reports to, and the
//! bounded object that keeps them.
//!
//! [`record`] is called after every render, encode, batch and aggregation. When tracking is off
//! (the default) it costs one atomic load. When on, the event goes into the process-wide
//! [`StatsWindow`]: a ring buffer allocated once at its full capacity, so memory never grows
//! however many events arrive, with a retention window and per-operation latency percentiles.
//! The window is guarded by a mutex held only for a few instructions per event and never while
//! calling into Python, so it is safe from any thread, with or without the GIL.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use crate::errors::{Error, Result};

/// Which engine did the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The CPU path.
    Cpu,
    /// The CUDA path.
    Gpu,
}

/// What kind of work an event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Drawing a chart into pixels or SVG.
    Render = 0,
    /// Encoding pixels into an image file format.
    Encode = 1,
    /// A whole batch of charts.
    Batch = 2,
    /// An aggregation or indicator computation.
    Aggregate = 3,
    /// An event recorded from Python with [`StatsWindow::record`] (the original API).
    External = 4,
}

impl Operation {
    /// Every operation, in the order of their numbers.
    pub const ALL: [Operation; 5] = [
        Operation::Render,
        Operation::Encode,
        Operation::Batch,
        Operation::Aggregate,
        Operation::External,
    ];

    /// The name used in statistics dictionaries.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Render => "render",
            Operation::Encode => "encode",
            Operation::Batch => "batch",
            Operation::Aggregate => "aggregate",
            Operation::External => "external",
        }
    }
}

/// One finished piece of work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// What was done.
    pub operation: Operation,
    /// Where it ran.
    pub engine: Engine,
    /// How long it took.
    pub duration: Duration,
    /// Items processed: candles for a render, pixels for an encode.
    pub items: u64,
    /// Bytes produced.
    pub bytes: u64,
}

/// Default capacity of a statistics window, in events.
pub const DEFAULT_CAPACITY: usize = 10_000;
/// Largest accepted capacity (about 400 MB of entries would be absurd for statistics).
pub const MAX_CAPACITY: usize = 10_000_000;
/// Default retention: events older than this are dropped.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, Copy)]
struct Entry {
    at: Instant,
    operation: Operation,
    nanos: u64,
}

/// Counters kept for the whole life of a window (never evicted).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    /// Events recorded.
    pub total_calls: u64,
    /// Events that ran on the GPU.
    pub gpu_calls: u64,
    /// Events that ran on the CPU.
    pub cpu_calls: u64,
    /// Sum of the positive `time_saved_ms` values given to [`StatsWindow::record`].
    pub time_saved_ms: f64,
}

/// Latency summary of one operation over the retained events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    /// Retained events of this operation.
    pub count: usize,
    /// Mean duration in milliseconds.
    pub mean_ms: f64,
    /// Median duration in milliseconds.
    pub p50_ms: f64,
    /// 95th percentile in milliseconds.
    pub p95_ms: f64,
    /// 99th percentile in milliseconds.
    pub p99_ms: f64,
}

#[derive(Debug)]
struct Ring {
    entries: Vec<Entry>,
    /// Index of the oldest entry.
    start: usize,
    len: usize,
    totals: Totals,
}

/// A fixed-capacity, thread-safe window of recent events plus lifetime counters.
#[derive(Debug)]
pub struct StatsWindow {
    capacity: usize,
    retention: Duration,
    ring: Mutex<Ring>,
}

impl StatsWindow {
    /// A window holding at most `capacity` events no older than `retention`. All memory is
    /// allocated here, once.
    pub fn new(capacity: usize, retention: Duration) -> Result<Self> {
        if !(1..=MAX_CAPACITY).contains(&capacity) {
            return Err(Error::invalid(format!(
                "max_entries must be between 1 and {MAX_CAPACITY}, got {capacity}."
            )));
        }
        if retention.is_zero() {
            return Err(Error::invalid("retention must be longer than zero."));
        }
        let filler = Entry {
            at: Instant::now(),
            operation: Operation::External,
            nanos: 0,
        };
        let ring = Ring {
            entries: vec![filler; capacity],
            start: 0,
            len: 0,
            totals: Totals::default(),
        };
        Ok(StatsWindow {
            capacity,
            retention,
            ring: Mutex::new(ring),
        })
    }

    /// Most events kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How long events are kept.
    pub fn retention(&self) -> Duration {
        self.retention
    }

    fn lock(&self) -> MutexGuard<'_, Ring> {
        // A panic while holding the lock cannot leave the ring inconsistent (every update is a
        // few plain stores), so a poisoned lock is still safe to use.
        self.ring
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds one event; the oldest is dropped when the window is full.
    pub fn push(
        &self,
        operation: Operation,
        engine: Engine,
        duration: Duration,
        time_saved_ms: f64,
    ) {
        let now = Instant::now();
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        let mut ring = self.lock();
        ring.evict_older_than(now, self.retention);
        let capacity = ring.entries.len();
        let slot = (ring.start + ring.len) % capacity;
        ring.entries[slot] = Entry {
            at: now,
            operation,
            nanos,
        };
        if ring.len == capacity {
            ring.start = (ring.start + 1) % capacity;
        } else {
            ring.len += 1;
        }
        let totals = &mut ring.totals;
        totals.total_calls += 1;
        match engine {
            Engine::Gpu => totals.gpu_calls += 1,
            Engine::Cpu => totals.cpu_calls += 1,
        }
        if time_saved_ms > 0.0 && time_saved_ms.is_finite() {
            totals.time_saved_ms += time_saved_ms;
        }
    }

    /// Lifetime counters.
    pub fn totals(&self) -> Totals {
        self.lock().totals
    }

    /// Events currently retained.
    pub fn retained(&self) -> usize {
        let mut ring = self.lock();
        ring.evict_older_than(Instant::now(), self.retention);
        ring.len
    }

    /// Latency percentiles of every operation that has retained events.
    pub fn latencies(&self) -> Vec<(Operation, Latency)> {
        let mut ring = self.lock();
        ring.evict_older_than(Instant::now(), self.retention);
        // Copy the durations out (bounded by the capacity) so that sorting happens unlocked.
        let mut by_operation: Vec<Vec<u64>> = vec![Vec::new(); Operation::ALL.len()];
        for entry in ring.iter() {
            by_operation[entry.operation as usize].push(entry.nanos);
        }
        drop(ring);

        Operation::ALL
            .iter()
            .zip(by_operation)
            .filter(|(_, durations)| !durations.is_empty())
            .map(|(operation, mut durations)| (*operation, summarise(&mut durations)))
            .collect()
    }

    /// Forgets every event and counter.
    pub fn reset(&self) {
        let mut ring = self.lock();
        ring.start = 0;
        ring.len = 0;
        ring.totals = Totals::default();
    }
}

impl Ring {
    fn iter(&self) -> impl Iterator<Item = &Entry> {
        let capacity = self.entries.len();
        (0..self.len).map(move |offset| &self.entries[(self.start + offset) % capacity])
    }

    fn evict_older_than(&mut self, now: Instant, retention: Duration) {
        let capacity = self.entries.len();
        while self.len > 0 && now.duration_since(self.entries[self.start].at) > retention {
            self.start = (self.start + 1) % capacity;
            self.len -= 1;
        }
    }
}

/// Nearest-rank percentiles of `durations` (nanoseconds), in milliseconds.
fn summarise(durations: &mut [u64]) -> Latency {
    durations.sort_unstable();
    let count = durations.len();
    let to_ms = |nanos: u64| nanos as f64 / 1e6;
    let rank = |percent: f64| {
        let index = ((percent / 100.0) * count as f64).ceil() as usize;
        to_ms(durations[index.clamp(1, count) - 1])
    };
    let total: f64 = durations.iter().map(|&nanos| nanos as f64).sum();
    Latency {
        count,
        mean_ms: total / count as f64 / 1e6,
        p50_ms: rank(50.0),
        p95_ms: rank(95.0),
        p99_ms: rank(99.0),
    }
}

static ENABLED: AtomicBool = AtomicBool::new(false);

/// The process-wide window that native operations feed when tracking is on.
pub fn global() -> &'static Arc<StatsWindow> {
    static GLOBAL: OnceLock<Arc<StatsWindow>> = OnceLock::new();
    GLOBAL.get_or_init(|| {
        Arc::new(
            StatsWindow::new(DEFAULT_CAPACITY, DEFAULT_RETENTION)
                .expect("the default capacity and retention are valid"),
        )
    })
}

/// Turns tracking on or off for the whole process.
pub fn set_enabled(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

/// Whether events are being recorded.
pub fn is_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Records `event` into the process-wide window if tracking is on.
pub fn record(event: Event) {
    if is_enabled() {
        global().push(event.operation, event.engine, event.duration, 0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(capacity: usize) -> StatsWindow {
        StatsWindow::new(capacity, DEFAULT_RETENTION).unwrap()
    }

    #[test]
    fn the_window_keeps_the_newest_events_and_all_counters() {
        let stats = window(3);
        for index in 0..5u64 {
            let engine = if index % 2 == 1 {
                Engine::Gpu
            } else {
                Engine::Cpu
            };
            stats.push(
                Operation::External,
                engine,
                Duration::from_millis(index),
                5.0,
            );
        }
        let totals = stats.totals();
        assert_eq!(
            (totals.total_calls, totals.gpu_calls, totals.cpu_calls),
            (5, 2, 3)
        );
        assert_eq!(totals.time_saved_ms, 25.0);
        assert_eq!(stats.retained(), 3);
        let latencies = stats.latencies();
        assert_eq!(latencies.len(), 1);
        let (_, latency) = latencies[0];
        // Durations 2, 3, 4 ms remain.
        assert_eq!(
            (latency.p50_ms, latency.p99_ms, latency.mean_ms),
            (3.0, 4.0, 3.0)
        );
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut durations: Vec<u64> = (1..=100).rev().map(|ms| ms * 1_000_000).collect();
        let latency = summarise(&mut durations);
        assert_eq!(
            (latency.p50_ms, latency.p95_ms, latency.p99_ms),
            (50.0, 95.0, 99.0)
        );
    }

    #[test]
    fn old_events_leave_the_window() {
        let stats = StatsWindow::new(10, Duration::from_millis(20)).unwrap();
        stats.push(
            Operation::Render,
            Engine::Cpu,
            Duration::from_millis(1),
            0.0,
        );
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(stats.retained(), 0);
        assert_eq!(stats.totals().total_calls, 1);
    }

    #[test]
    fn capacity_is_checked() {
        assert!(StatsWindow::new(0, DEFAULT_RETENTION).is_err());
        assert!(StatsWindow::new(MAX_CAPACITY + 1, DEFAULT_RETENTION).is_err());
        assert!(StatsWindow::new(1, Duration::ZERO).is_err());
    }

    #[test]
    fn ten_million_events_fit_in_the_same_memory() {
        let stats = window(10_000);
        let capacity_before = stats.lock().entries.capacity();
        for index in 0..10_000_000u64 {
            stats.push(
                Operation::Render,
                Engine::Cpu,
                Duration::from_nanos(index % 1000),
                0.0,
            );
        }
        assert_eq!(stats.lock().entries.capacity(), capacity_before);
        assert_eq!(stats.retained(), 10_000);
        assert_eq!(stats.totals().total_calls, 10_000_000);
    }

    #[test]
    fn reset_clears_everything() {
        let stats = window(4);
        stats.push(
            Operation::Encode,
            Engine::Cpu,
            Duration::from_millis(1),
            1.0,
        );
        stats.reset();
        assert_eq!(stats.totals(), Totals::default());
        assert!(stats.latencies().is_empty());
    }
}
