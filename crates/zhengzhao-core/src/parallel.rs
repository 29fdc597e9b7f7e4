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
    spread(items.len(), items.len().div_ceil(MIN_PER_THREAD), |i| {
        f(&items[i])
    })
}

/// `f` applied to consecutive chunks of up to `chunk` items (work that is cheaper done for
/// several items at once, such as a batch equation), spread over the cores as [`map`] spreads
/// items; the chunks' results concatenated in order. Chunks are smaller when that gives every
/// core one, down to the items [`map`] gives a thread at least.
///
/// ```
/// let sums = zhengzhao_core::parallel::map_chunks(&[1u64, 2, 3, 4, 5], 2, |c| vec![c.iter().sum::<u64>()]);
/// assert_eq!(sums, [3, 7, 5]);
/// ```
pub fn map_chunks<T: Sync, R: Send>(
    items: &[T],
    chunk: usize,
    f: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let per_core = items.len().div_ceil(cores()).max(MIN_PER_THREAD);
    let chunks: Vec<&[T]> = items.chunks(chunk.min(per_core).max(1)).collect();
    spread(chunks.len(), chunks.len(), |i| f(chunks[i]))
        .into_iter()
        .flatten()
        .collect()
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `f(0..n)` in order, on at most `max_threads` threads (and one per core).
fn spread<R: Send>(n: usize, max_threads: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let threads = cores().min(max_threads);
    if threads <= 1 {
        return (0..n).map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    // Each thread takes the next index until none is left, and keeps its results with their
    // indices.
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                return done;
            }
            done.push((i, f(i)));
        }
    };
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(n).collect();
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
            for chunk in [1usize, 3, 8, 64] {
                let out = super::map_chunks(&items, chunk, |c| {
                    assert!(!c.is_empty() && c.len() <= chunk);
                    c.iter().map(|x| x * 2 + 1).collect()
                });
                assert_eq!(
                    out,
                    items.iter().map(|x| x * 2 + 1).collect::<Vec<_>>(),
                    "n = {n}, chunk = {chunk}"
                );
            }
        }
    }
}
