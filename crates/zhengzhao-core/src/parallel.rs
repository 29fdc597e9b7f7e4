//! Work spread over the machine's cores: verification of many documents, signing of many
//! licences. Plain scoped threads, one chunk each; the calling thread takes the first chunk.

/// Below this many items per thread, starting threads costs more than it saves.
const MIN_PER_THREAD: usize = 8;

/// `f` applied to every item, in order, on up to one thread per core.
///
/// ```
/// let squares = zhengzhao_core::parallel::map(&[1u64, 2, 3], |x| x * x);
/// assert_eq!(squares, [1, 4, 9]);
/// ```
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = items.len().div_ceil(threads).max(MIN_PER_THREAD);
    if items.len() <= per_thread {
        return items.iter().map(&f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let mut chunks = items.chunks(per_thread);
        let first = chunks.next().unwrap_or_default();
        let workers: Vec<_> = chunks
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out: Vec<R> = first.iter().map(f).collect();
        for w in workers {
            // A panic in `f` is a bug of the caller's, not an input error: pass it on.
            match w.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
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
