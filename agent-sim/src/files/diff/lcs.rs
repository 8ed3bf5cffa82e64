//! The line alignment go-udiff computes (`lcs.DiffLines`, golang.org/x/tools' `internal/diff/lcs`
//! as go-udiff v0.4.0/v0.4.1 vendor it): Myers' edit graph searched from both corners at once,
//! at most [`SEARCH_LIMIT`] steps from each side.
//!
//! The search keeps, for every edit distance `d` and diagonal `k`, the furthest x reached
//! forwards from (0,0) and backwards from (N,M). It stops at the first `d` where a forward and a
//! backward path meet on one diagonal, and builds the common subsequence from the labels with the
//! same special cases and tie-breaks as upstream (on equal reach both sides extend the path from
//! diagonal `k + 1`). When neither side meets the other within the limit, the furthest
//! partial paths of both sides are joined and their overlaps trimmed (`fix`), which sorts by
//! length with Go's `sort.Slice` ([`super::gosort`]) so that equal lengths resolve as in Go.
//!
//! The result is a list of [`Diff`]s: the ranges of `a` to replace by ranges of `b`.

use super::gosort;

/// How many edit steps each side may take before the search settles for a partial answer
/// (upstream's `maxDiffs / 2`).
pub const SEARCH_LIMIT: usize = 50;

/// Replace `a[start..end]` by `b[repl_start..repl_end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Diff {
    pub start: usize,
    pub end: usize,
    pub repl_start: usize,
    pub repl_end: usize,
}

/// A run where `a[x + i] == b[y + i]` for `0 <= i < len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Diag {
    pub x: isize,
    pub y: isize,
    pub len: isize,
}

/// The diffs that turn `a` into `b`, as go-udiff's `lcs.DiffLines` finds them.
pub fn diff<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Diff> {
    compute(a, b, Search::TwoSided, SEARCH_LIMIT).0
}

/// Which search builds the common subsequence (upstream keeps all three; the agent uses
/// `TwoSided`, the others are checked against it in tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Search {
    #[cfg_attr(not(test), allow(dead_code))]
    Forward,
    #[cfg_attr(not(test), allow(dead_code))]
    Backward,
    TwoSided,
}

/// The diffs and the common subsequence of `a` and `b` found with `search` within `limit` steps
/// (0 means no limit).
pub(super) fn compute<T: PartialEq>(
    a: &[T],
    b: &[T],
    search: Search,
    limit: usize,
) -> (Vec<Diff>, Vec<Diag>) {
    let limit = if limit == 0 { 1 << 25 } else { limit as isize };
    let mut g = EditGraph {
        a,
        b,
        fwd: Labels::default(),
        bwd: Labels::default(),
        limit,
        ux: a.len() as isize,
        uy: b.len() as isize,
        delta: a.len() as isize - b.len() as isize,
    };
    let lcs = match search {
        Search::Forward => g.forward(),
        Search::Backward => g.backward(),
        Search::TwoSided => g.two_sided(),
    };
    (to_diffs(&lcs, a.len(), b.len()), lcs)
}

/// The gaps between the diagonals of a sorted common subsequence.
fn to_diffs(lcs: &[Diag], alen: usize, blen: usize) -> Vec<Diff> {
    let mut diffs = Vec::new();
    let (mut pa, mut pb) = (0usize, 0usize);
    for d in lcs {
        let (x, y) = (d.x.max(0) as usize, d.y.max(0) as usize);
        if pa < x || pb < y {
            diffs.push(Diff {
                start: pa,
                end: x,
                repl_start: pb,
                repl_end: y,
            });
        }
        pa = x + d.len.max(0) as usize;
        pb = y + d.len.max(0) as usize;
    }
    if pa < alen || pb < blen {
        diffs.push(Diff {
            start: pa,
            end: alen,
            repl_start: pb,
            repl_end: blen,
        });
    }
    diffs
}

/// Furthest x per (d, k): row `d` has `d + 1` slots, diagonal `k` is slot `(d + k) / 2`.
#[derive(Default)]
struct Labels {
    rows: Vec<Vec<isize>>,
}

impl Labels {
    fn set(&mut self, d: isize, k: isize, x: isize) {
        let row = d as usize;
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        if self.rows[row].is_empty() {
            self.rows[row] = vec![0; row + 1];
        }
        if let Some(slot) = self.rows[row].get_mut(((d + k) / 2) as usize) {
            *slot = x;
        }
    }

    /// The label, or 0 for a slot never set (the search never reads one).
    fn get(&self, d: isize, k: isize) -> isize {
        if d < 0 || d + k < 0 {
            return 0;
        }
        self.rows
            .get(d as usize)
            .and_then(|r| r.get(((d + k) / 2) as usize))
            .copied()
            .unwrap_or(0)
    }
}

/// Whether (d, k) names a label: `d >= 0` and `-d <= k <= d`.
fn ok(d: isize, k: isize) -> bool {
    d >= 0 && -d <= k && k <= d
}

/// The diagonals `-d + 1, -d + 3, …, d - 1` that step `d → d + 1` reaches from two neighbours.
fn inner_diagonals(d: isize) -> impl Iterator<Item = isize> {
    (0..d.max(0)).map(move |i| -d + 1 + 2 * i)
}

struct EditGraph<'s, T> {
    a: &'s [T],
    b: &'s [T],
    fwd: Labels,
    bwd: Labels,
    limit: isize,
    /// The upper corner of the rectangle searched (lower corner is always (0,0)).
    ux: isize,
    uy: isize,
    /// `len(a) - len(b)`: backward diagonal `k` is forward diagonal `k + delta`.
    delta: isize,
}

mod backward;
mod forward;
mod two_sided;

/// Extends `lcs` (sorted, first diagonal lowest) by the edge (x,y)→(x+1,y+1) in front.
fn prepend(lcs: &mut Vec<Diag>, x: isize, y: isize) {
    if let Some(first) = lcs.first_mut() {
        if first.x == x + 1 && first.y == y + 1 {
            first.x = x;
            first.y = y;
            first.len += 1;
            return;
        }
    }
    lcs.insert(0, Diag { x, y, len: 1 });
}

/// Extends `lcs` by the edge (x,y)→(x+1,y+1) at its end.
fn append(lcs: &mut Vec<Diag>, x: isize, y: isize) {
    if let Some(last) = lcs.last_mut() {
        if last.x + last.len == x && last.y + last.len == y {
            last.len += 1;
            return;
        }
    }
    lcs.push(Diag { x, y, len: 1 });
}

/// Sorts by x, and by decreasing length for one x.
fn sort_lcs(lcs: &mut [Diag]) {
    lcs.sort_by(|p, q| p.x.cmp(&q.x).then(q.len.cmp(&p.len)));
}

/// Whether no two diagonals of a sorted subsequence overlap in x or y.
#[cfg(test)]
pub(super) fn valid(lcs: &[Diag]) -> bool {
    lcs.windows(2)
        .all(|w| w[0].x + w[0].len <= w[1].x && w[0].y + w[0].len <= w[1].y)
}

/// Where a proposed diagonal lies against one already kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    Empty,
    LeftDown,
    RightUp,
    Conflict,
}

/// A consistent subsequence out of overlapping partial ones: longest diagonals first (Go's
/// `sort.Slice` order for equal lengths), each trimmed against those kept, then sorted.
pub(super) fn fix(mut lcs: Vec<Diag>) -> Vec<Diag> {
    if lcs.is_empty() {
        return lcs;
    }
    gosort::sort_slice(&mut lcs, |p, q| p.len > q.len);
    let mut kept: Vec<Diag> = vec![lcs[0]];
    for &candidate in &lcs[1..] {
        let mut placement = Placement::Empty;
        let mut next = candidate;
        for &exist in &kept {
            (placement, next) = overlap(exist, next);
            if matches!(placement, Placement::Empty | Placement::Conflict) {
                break;
            }
        }
        if next.len > 0 && placement != Placement::Conflict {
            kept.push(next);
        }
    }
    sort_lcs(&mut kept);
    kept
}

/// Trims `prop` so it does not overlap `exist`, and says where what is left lies.
fn overlap(exist: Diag, prop: Diag) -> (Placement, Diag) {
    let trimmed = trim_along(exist, prop, |d| d.x).and_then(|p| trim_along(exist, p, |d| d.y));
    let Some(prop) = trimmed else {
        return (Placement::Empty, Diag { len: 0, ..prop });
    };
    if prop.x + prop.len <= exist.x && prop.y + prop.len <= exist.y {
        return (Placement::LeftDown, prop);
    }
    if exist.x + exist.len <= prop.x && exist.y + exist.len <= prop.y {
        return (Placement::RightUp, prop);
    }
    (Placement::Conflict, prop)
}

/// Along one axis (`at` reads x or y): cuts the end of `prop` that runs into `exist`, then the
/// start of `prop` that lies inside `exist`. `None` when nothing is left.
fn trim_along(exist: Diag, mut prop: Diag, at: fn(&Diag) -> isize) -> Option<Diag> {
    let e = at(&exist);
    if at(&prop) <= e && e < at(&prop) + prop.len {
        prop.len = e - at(&prop);
        if prop.len <= 0 {
            return None;
        }
    }
    if e <= at(&prop) && at(&prop) < e + exist.len {
        let cut = e + exist.len - at(&prop);
        prop.len -= cut;
        if prop.len <= 0 {
            return None;
        }
        prop.x += cut;
        prop.y += cut;
    }
    Some(prop)
}

#[cfg(test)]
mod tests;
