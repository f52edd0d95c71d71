//! Splitting one chart's work between the calling thread and the rayon pool.
//!
//! A chart takes from a tenth of a millisecond to a few milliseconds, not much more than it
//! takes a sleeping pool thread to wake up. So the calling thread never waits for the pool to
//! start: it takes pieces of work itself from a shared queue, and pool threads take the others
//! as they wake. Nor does it wait for helpers that wake after the queue ran dry: it closes the
//! queue, waits only for pieces already being worked on, and returns. Each piece must write
//! only its own pixels, so the result never depends on which thread did what, nor on the
//! number of threads. Inside the batch engine the helpers come from the batch pool, whose
//! threads are already busy with other charts, so nothing is oversubscribed.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What a helper can do with the shared queue, with the item and work types erased so that a
/// helper job can outlive the call (see [`share_work`]).
trait Helper: Send + Sync {
    /// Works on items until the queue is empty or closed.
    fn help(&self);
}

/// The queue of one [`share_work`] call.
struct Shared<I, W> {
    /// `None` once the calling thread has closed the queue.
    items: Mutex<Option<I>>,
    /// The work; only called on an item taken from the open queue.
    work: *const W,
    /// Helpers inside `work` right now.
    busy: AtomicUsize,
    /// The first panic of a helper, re-raised on the calling thread.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

// SAFETY: the items are sent to helper threads through the mutex (`I: Send`), and `work` is
// shared by reference between threads (`W: Sync`).
unsafe impl<I: Send, W: Sync> Send for Shared<I, W> {}
// SAFETY: as above; every field is either behind a lock, atomic, or `work` (`W: Sync`).
unsafe impl<I: Send, W: Sync> Sync for Shared<I, W> {}

impl<T, I: Iterator<Item = T>, W: Fn(T)> Shared<I, W> {
    /// The next item, counted as busy when taken by a helper; `None` when the queue is empty
    /// or closed.
    fn next(&self, helper: bool) -> Option<T> {
        let mut items = self
            .items
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let item = items.as_mut()?.next()?;
        if helper {
            // Counted under the lock, so that the calling thread, which closes the queue under
            // the same lock, waits for this item.
            self.busy.fetch_add(1, Ordering::AcqRel);
        }
        Some(item)
    }

    /// Closes the queue, then waits until no helper is inside `work`.
    fn close_and_wait(&self) {
        let leftover = self
            .items
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        // The iterator is dropped here, on the calling thread, while what it borrows is alive.
        drop(leftover);
        let mut spins = 0u32;
        while self.busy.load(Ordering::Acquire) != 0 {
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }
}

impl<T, I: Iterator<Item = T> + Send, W: Fn(T) + Sync> Helper for Shared<I, W> {
    fn help(&self) {
        while let Some(item) = self.next(true) {
            // SAFETY: the item came from the open queue and is counted in `busy`, so the
            // calling thread is still inside `share_work` (it waits for `busy` to drop to 0
            // before returning or unwinding), and `work` is alive.
            let work = unsafe { &*self.work };
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| work(item)));
            if let Err(payload) = outcome {
                let mut first = self
                    .panic
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                first.get_or_insert(payload);
            }
            self.busy.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// Closes the queue and waits for busy helpers when the calling thread leaves [`share_work`],
/// also when its own work panics.
struct CloseOnExit<'s, I, W>(&'s Shared<I, W>)
where
    I: Iterator,
    W: Fn(I::Item);

impl<I: Iterator, W: Fn(I::Item)> Drop for CloseOnExit<'_, I, W> {
    fn drop(&mut self) {
        self.0.close_and_wait();
    }
}

/// Calls `work` on every item of `items` (`count` of them), on the calling thread and on up
/// to one fewer helpers than the current rayon pool has threads.
pub(crate) fn share_work<T: Send>(
    items: impl Iterator<Item = T> + Send,
    count: usize,
    work: impl Fn(T) + Sync,
) {
    let helpers = rayon::current_num_threads().min(count).saturating_sub(1);
    if helpers == 0 {
        items.for_each(work);
        return;
    }
    let shared = Arc::new(Shared {
        items: Mutex::new(Some(items)),
        work: &work,
        busy: AtomicUsize::new(0),
        panic: Mutex::new(None),
    });
    for _ in 0..helpers {
        let helper: Arc<dyn Helper + '_> = shared.clone();
        // SAFETY: a helper only touches the items and `work` (which borrow the caller's data)
        // while the queue is open or while it is counted in `busy`, and the calling thread
        // closes the queue and waits for `busy` to reach 0 before it returns or unwinds (see
        // `CloseOnExit`). A helper that starts later finds the queue closed and only drops its
        // reference, whose drop touches nothing borrowed (the iterator was dropped on close).
        let helper: Arc<dyn Helper + 'static> = unsafe { std::mem::transmute(helper) };
        rayon::spawn(move || helper.help());
    }
    {
        let _close = CloseOnExit(&*shared);
        while let Some(item) = shared.next(false) {
            work(item);
        }
    }
    let payload = shared
        .panic
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take();
    if let Some(payload) = payload {
        panic::resume_unwind(payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    #[test]
    fn every_item_is_worked_on_once_whatever_the_threads() {
        for threads in [1, 2, 4] {
            pool(threads).install(|| {
                for round in 0..200 {
                    let count = round % 37;
                    let seen: Vec<AtomicUsize> = (0..count).map(|_| AtomicUsize::new(0)).collect();
                    share_work(0..count, count, |index| {
                        seen[index].fetch_add(1, Ordering::Relaxed);
                    });
                    assert!(seen.iter().all(|times| times.load(Ordering::Relaxed) == 1));
                }
            });
        }
    }

    #[test]
    fn the_call_returns_only_after_every_piece_finished() {
        // Pieces that take a while: none may still run once share_work has returned, or the
        // flag below would be set after it was checked.
        pool(4).install(|| {
            for _ in 0..50 {
                let running = AtomicUsize::new(0);
                let finished = AtomicBool::new(false);
                share_work(0..8, 8, |_| {
                    running.fetch_add(1, Ordering::SeqCst);
                    assert!(!finished.load(Ordering::SeqCst));
                    std::thread::sleep(std::time::Duration::from_micros(200));
                    running.fetch_sub(1, Ordering::SeqCst);
                });
                finished.store(true, Ordering::SeqCst);
                assert_eq!(running.load(Ordering::SeqCst), 0);
            }
        });
    }

    #[test]
    fn a_panic_in_any_piece_reaches_the_caller() {
        pool(4).install(|| {
            for poisoned in [0, 5, 15] {
                let done = AtomicUsize::new(0);
                let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                    share_work(0..16, 16, |index| {
                        std::thread::sleep(std::time::Duration::from_micros(100));
                        if index == poisoned {
                            panic!("piece {index} failed");
                        }
                        done.fetch_add(1, Ordering::SeqCst);
                    });
                }));
                let payload = outcome.expect_err("the panic must reach the caller");
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_default();
                assert_eq!(message, format!("piece {poisoned} failed"));
                assert!(done.load(Ordering::SeqCst) < 16);
            }
        });
    }
}
