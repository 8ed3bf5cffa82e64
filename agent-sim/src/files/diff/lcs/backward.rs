//! The backward half of the search: paths from the upper corner towards (0,0), and the common
//! subsequence read back from their labels. Backward diagonal `k` is forward diagonal
//! `k + delta`.

use super::{append, inner_diagonals, ok, Diag, EditGraph};

impl<T: PartialEq> EditGraph<'_, T> {
    /// From (x, x - (k + delta)), x after following the diagonal down as far as the sequences
    /// agree.
    pub(super) fn look_backward(&self, k: isize, x: isize) -> isize {
        let y = x - (k + self.delta);
        if x <= 0 || y <= 0 {
            return x;
        }
        let a = self.a.get(..x as usize).unwrap_or(&[]);
        let b = self.b.get(..y as usize).unwrap_or(&[]);
        x - common_suffix_len(a, b) as isize
    }

    pub(super) fn set_backward(&mut self, d: isize, k: isize, x: isize) {
        let x = self.look_backward(k, x);
        self.bwd.set(d, k, x);
    }

    /// Labels of step `d + 1` from those of step `d`; on a tie the path from diagonal `k + 1`
    /// wins.
    pub(super) fn backward_step(&mut self, d: isize) {
        self.set_backward(d + 1, -(d + 1), self.bwd.get(d, -d) - 1);
        self.set_backward(d + 1, d + 1, self.bwd.get(d, d));
        for k in inner_diagonals(d) {
            let from_below = self.look_backward(k, self.bwd.get(d, k - 1));
            let from_above = self.look_backward(k, self.bwd.get(d, k + 1) - 1);
            let x = if from_below < from_above {
                from_below
            } else {
                from_above
            };
            self.set_backward(d + 1, k, x);
        }
    }

    /// The backward search alone, until it reaches (0,0) or the limit.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) fn backward(&mut self) -> Vec<Diag> {
        self.set_backward(0, 0, self.ux);
        if let Some(lcs) = self.backward_reached(0) {
            return lcs;
        }
        for d in 0..self.limit {
            self.backward_step(d);
            if let Some(lcs) = self.backward_reached(d + 1) {
                return lcs;
            }
        }
        self.backward_partial().unwrap_or_default()
    }

    /// The subsequence when a step-`d` path ends at (0,0) (only diagonal `-delta` can).
    fn backward_reached(&self, d: isize) -> Option<Vec<Diag>> {
        let k = -self.delta;
        if !ok(d, k) || (d + k) % 2 != 0 {
            return None;
        }
        let x = self.bwd.get(d, k);
        (x == 0 && x - (k + self.delta) == 0).then(|| self.backward_lcs(d, k))
    }

    /// The subsequence of the step-`limit` path that got furthest (smallest x + y) inside the
    /// rectangle.
    pub(super) fn backward_partial(&self) -> Option<Vec<Diag>> {
        let mut best = None;
        let mut reach = 1 << 25;
        let mut k = -self.limit;
        while k <= self.limit {
            let x = self.bwd.get(self.limit, k);
            let y = x - (k + self.delta);
            if x + y < reach && x >= 0 && y >= 0 {
                reach = x + y;
                best = Some(k);
            }
            k += 2;
        }
        best.map(|k| self.backward_lcs(self.limit, k))
    }

    /// Walks the labels back from (d, k) to the upper corner, collecting the diagonal edges.
    pub(super) fn backward_lcs(&self, mut d: isize, mut k: isize) -> Vec<Diag> {
        let mut lcs = Vec::new();
        let mut x = self.bwd.get(d, k);
        while x != self.ux || x - (k + self.delta) != self.uy {
            if ok(d - 1, k - 1) && x == self.bwd.get(d - 1, k - 1) {
                (d, k) = (d - 1, k - 1);
                continue;
            }
            if ok(d - 1, k + 1) && x + 1 == self.bwd.get(d - 1, k + 1) {
                (d, k, x) = (d - 1, k + 1, x + 1);
                continue;
            }
            if x >= self.ux {
                break; // labels that do not lead home (never with labels the search set)
            }
            append(&mut lcs, x, x - (k + self.delta));
            x += 1;
        }
        lcs
    }
}

/// How many trailing elements `a` and `b` share.
fn common_suffix_len<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(p, q)| p == q)
        .count()
}
