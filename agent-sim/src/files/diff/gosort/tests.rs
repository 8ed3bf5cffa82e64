use super::sort_slice;
use crate::files::diff::golden::{assert_checksums, group_checksums, Rng};

/// Go 1.19's `sort.Slice` of 300 random slices (0 to 199 pairs, keys with 1 to 9 distinct
/// values, sorted by key descending): the order the ids end in.
const GO_SORT_SLICE: &[u64] = &[0x960b160d081056ba, 0x413f71599ef08064, 0xa2328dc88d3a2215];

#[test]
fn equal_keys_end_where_go_puts_them() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut results = Vec::new();
    for case in 0..300 {
        let n = rng.below(200);
        let mut v: Vec<(usize, usize)> = (0..n).map(|id| (rng.below(1 + case % 9), id)).collect();
        sort_slice(&mut v, |p, q| p.0 > q.0);
        results.push(v.iter().map(|(_, id)| format!("{id} ")).collect::<String>());
    }
    assert_checksums("sort", &group_checksums(&results, 100), GO_SORT_SLICE);
}

#[test]
fn small_slices_sort_stably() {
    let mut v = vec![(1, 'a'), (2, 'b'), (1, 'c'), (2, 'd'), (0, 'e')];
    sort_slice(&mut v, |p, q| p.0 > q.0);
    assert_eq!(v, [(2, 'b'), (2, 'd'), (1, 'a'), (1, 'c'), (0, 'e')]);
}

#[test]
fn sorts_large_inputs() {
    let mut rng = Rng(7);
    let mut v: Vec<u64> = (0..5000).map(|_| rng.next() % 1000).collect();
    sort_slice(&mut v, |p, q| p < q);
    assert!(v.windows(2).all(|w| w[0] <= w[1]));
}
