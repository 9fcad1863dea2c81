//! Python's `difflib.get_close_matches`, which traitlets uses for its "Did you mean" hints.

/// The `n` best candidates whose similarity ratio to `word` is at least `cutoff`, best first.
pub fn close_matches<'a>(word: &str, candidates: &[&'a str], n: usize, cutoff: f64) -> Vec<&'a str> {
    let w: Vec<char> = word.chars().collect();
    let mut scored: Vec<(f64, &str)> = candidates
        .iter()
        .filter_map(|c| {
            let r = ratio(&c.chars().collect::<Vec<_>>(), &w);
            (r >= cutoff).then_some((r, *c))
        })
        .collect();
    // heapq.nlargest over (score, text) tuples.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| b.1.cmp(a.1)));
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

/// `SequenceMatcher(None, a, b).ratio()`: twice the matched characters over the total length.
pub fn ratio(a: &[char], b: &[char]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    2.0 * matched(a, b, 0, a.len(), 0, b.len()) as f64 / total as f64
}

/// Characters in the matching blocks: the longest common block, then recursively the parts
/// to its left and right.
fn matched(a: &[char], b: &[char], alo: usize, ahi: usize, blo: usize, bhi: usize) -> usize {
    let (i, j, size) = longest_match(a, b, alo, ahi, blo, bhi);
    if size == 0 {
        return 0;
    }
    size + matched(a, b, alo, i, blo, j) + matched(a, b, i + size, ahi, j + size, bhi)
}

fn longest_match(a: &[char], b: &[char], alo: usize, ahi: usize, blo: usize, bhi: usize) -> (usize, usize, usize) {
    let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0);
    let mut prev = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate().take(ahi).skip(alo) {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, cb) in b.iter().enumerate().take(bhi).skip(blo) {
            if ca == cb {
                let k = if j > blo { prev[j - 1] } else { 0 } + 1;
                cur[j] = k;
                if k > bestsize {
                    (besti, bestj, bestsize) = (i + 1 - k, j + 1 - k, k);
                }
            }
        }
        prev = cur;
    }
    (besti, bestj, bestsize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_difflib() {
        // Values computed with CPython's difflib.
        let r = |a: &str, b: &str| ratio(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>());
        assert!((r("kernel_name", "kernel_nam") - 20.0 / 21.0).abs() < 1e-12);
        assert!((r("abcd", "bcde") - 0.75).abs() < 1e-12);
        let names = ["ipykernel_subclass_name", "kernel_name", "display_name", "prefix"];
        assert_eq!(close_matches("kernel_nam", &names, 3, 0.6), vec!["kernel_name", "ipykernel_subclass_name"]);
        assert!(close_matches("nosuch", &names, 3, 0.6).is_empty());
    }
}
