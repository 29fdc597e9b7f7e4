//! Work spread over the machine's cores: verification of many documents, signing of many
//! licences. Plain scoped threads; the calling thread works too. Items are handed out one at a
//! time from a shared counter, so a core slowed by another process's load takes fewer of them
//! instead of holding up the whole call.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Below this many items per thread, starting threads costs more than it saves.
const MIN_PER_THREAD: usize = 8;

/// `f` applied to every item, in order, on up to one thread per core.
///
/// ```
/// let squares = zhengzhao_core::parallel::map(&[1u64, 2, 3], |x| x * x);
/// assert_eq!(squares, [1, 4, 9]);
/// ```
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(items.len().div_ceil(MIN_PER_THREAD));
    if threads <= 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    // Each thread takes the next item until none is left, and keeps its results with their
    // indices.
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut parts = vec![work()];
        for w in workers {
            // A panic in `f` is a bug of the caller's, not an input error: pass it on.
            match w.join() {
                Ok(part) => parts.push(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        for (i, r) in parts.into_iter().flatten() {
            slots[i] = Some(r);
        }
    });
    slots
        .into_iter()
        .map(|r| r.expect("every index was taken exactly once"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_on_every_size() {
        for n in [0usize, 1, 7, 8, 9, 16, 17, 100, 1001] {
            let items: Vec<usize> = (0..n).collect();
            let out = super::map(&items, |x| x * 2 + 1);
            assert_eq!(
                out,
                items.iter().map(|x| x * 2 + 1).collect::<Vec<_>>(),
                "n = {n}"
            );
        }
    }
}
