//! Splitting one chart's work between the calling thread and the rayon pool.
//!
//! A chart takes from a tenth of a millisecond to a few milliseconds, not much more than it
//! takes a sleeping pool thread to wake up. So the calling thread never waits for the pool to
//! start: it takes pieces of work itself from a shared queue, and pool threads take the others
//! as they wake. Each piece must write only its own pixels, so the result never depends on
//! which thread did what, nor on the number of threads. Inside the batch engine the helpers
//! come from the batch pool, whose threads are already busy with other charts, so nothing is
//! oversubscribed.

use std::sync::Mutex;

/// Calls `work` on every item of `items` (`count` of them), on the calling thread and on up
/// to one fewer helpers than the current rayon pool has threads.
pub(crate) fn share_work<T: Send>(
    items: impl Iterator<Item = T> + Send,
    count: usize,
    work: impl Fn(T) + Sync,
) {
    let queue = Mutex::new(items);
    let drain = || {
        // A poisoned lock means a piece panicked; that panic ends the call anyway.
        while let Some(item) = queue.lock().map_or(None, |mut items| items.next()) {
            work(item);
        }
    };
    let helpers = rayon::current_num_threads().min(count).saturating_sub(1);
    rayon::in_place_scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(|_| drain());
        }
        drain();
    });
}
