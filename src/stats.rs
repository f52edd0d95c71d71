//! The narrow interface through which every native render and encode reports what it did.
//!
//! Reporting costs two atomic adds per event and keeps fixed-size counters, so it is safe to
//! call from any thread, without the GIL, millions of times. Tracking is off by default; the
//! bounded statistics object that keeps latency windows is built on top of this interface.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

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
    /// Drawing a chart into pixels.
    Render = 0,
    /// Encoding pixels into an image file format.
    Encode = 1,
}

const OPERATIONS: usize = 2;

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

static ENABLED: AtomicBool = AtomicBool::new(false);

struct Counters {
    calls: AtomicU64,
    gpu_calls: AtomicU64,
    nanos: AtomicU64,
    items: AtomicU64,
    bytes: AtomicU64,
}

#[allow(clippy::declare_interior_mutable_const)]
const ZERO: Counters = Counters {
    calls: AtomicU64::new(0),
    gpu_calls: AtomicU64::new(0),
    nanos: AtomicU64::new(0),
    items: AtomicU64::new(0),
    bytes: AtomicU64::new(0),
};

static COUNTERS: [Counters; OPERATIONS] = [ZERO, ZERO];

/// Turns tracking on or off for the whole process.
pub fn set_enabled(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

/// Whether events are being recorded.
pub fn is_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Records `event` if tracking is on.
pub fn record(event: Event) {
    if !is_enabled() {
        return;
    }
    let counters = &COUNTERS[event.operation as usize];
    counters.calls.fetch_add(1, Ordering::Relaxed);
    if event.engine == Engine::Gpu {
        counters.gpu_calls.fetch_add(1, Ordering::Relaxed);
    }
    let nanos = u64::try_from(event.duration.as_nanos()).unwrap_or(u64::MAX);
    counters.nanos.fetch_add(nanos, Ordering::Relaxed);
    counters.items.fetch_add(event.items, Ordering::Relaxed);
    counters.bytes.fetch_add(event.bytes, Ordering::Relaxed);
}

/// Totals for one operation since the last reset: calls, GPU calls, nanoseconds, items, bytes.
pub fn totals(operation: Operation) -> [u64; 5] {
    let counters = &COUNTERS[operation as usize];
    [
        counters.calls.load(Ordering::Relaxed),
        counters.gpu_calls.load(Ordering::Relaxed),
        counters.nanos.load(Ordering::Relaxed),
        counters.items.load(Ordering::Relaxed),
        counters.bytes.load(Ordering::Relaxed),
    ]
}

/// Sets every total back to zero.
pub fn reset() {
    for counters in &COUNTERS {
        for counter in [
            &counters.calls,
            &counters.gpu_calls,
            &counters.nanos,
            &counters.items,
            &counters.bytes,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }
}
