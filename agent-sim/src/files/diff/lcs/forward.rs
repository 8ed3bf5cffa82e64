//! The forward half of the search: paths from (0,0) towards the upper corner, and the common
//! subsequence read back from their labels.

use super::{inner_diagonals, ok, prepend, Diag, EditGraph};

impl<T: PartialEq> EditGraph<'_, T> {
    /// From (x, x - k), x after following the diagonal up as far as the sequences agree.
    pub(super) fn look_forward(&self, k: isize, x: isize) -> isize {
        let y = x - k;
        if x < 0 || y < 0 || x >= self.ux || y >= self.uy {
            return x;
        }
        let a = self.a.get(x as usize..self.ux as usize).unwrap_or(&[]);
        let b = self.b.get(y as usize..self.uy as usize).unwrap_or(&[]);
        x + common_prefix_len(a, b) as isize
    }

    pub(super) fn set_forward(&mut self, d: isize, k: isize, x: isize) {
        let x = self.look_forward(k, x);
        self.fwd.set(d, k, x);
    }

    /// Labels of step `d + 1` from those of step `d`; on a tie the path from diagonal `k + 1`
    /// wins.
    pub(super) fn forward_step(&mut self, d: isize) {
        self.set_forward(d + 1, -(d + 1), self.fwd.get(d, -d));
        self.set_forward(d + 1, d + 1, self.fwd.get(d, d) + 1);
        for k in inner_diagonals(d) {
            let from_below = self.look_forward(k, self.fwd.get(d, k - 1) + 1);
            let from_above = self.look_forward(k, self.fwd.get(d, k + 1));
            let x = if from_below > from_above {
                from_below
            } else {
                from_above
            };
            self.set_forward(d + 1, k, x);
        }
    }

    /// The forward search alone, until it reaches the upper corner or the limit.
    pub(super) fn forward(&mut self) -> Vec<Diag> {
        self.set_forward(0, 0, 0);
        if let Some(lcs) = self.forward_reached(0) {
            return lcs;
        }
        for d in 0..self.limit {
            self.forward_step(d);
            if let Some(lcs) = self.forward_reached(d + 1) {
                return lcs;
            }
        }
        self.forward_partial().unwrap_or_default()
    }

    /// The subsequence when a step-`d` path ends at the upper corner (only diagonal
    /// `ux - uy` can).
    fn forward_reached(&self, d: isize) -> Option<Vec<Diag>> {
        let k = self.ux - self.uy;
        if !ok(d, k) || (d + k) % 2 != 0 {
            return None;
        }
        let x = self.fwd.get(d, k);
        (x == self.ux && x - k == self.uy).then(|| self.forward_lcs(d, k))
    }

    /// The subsequence of the step-`limit` path that got furthest (largest x + y) inside the
    /// rectangle.
    pub(super) fn forward_partial(&self) -> Option<Vec<Diag>> {
        let mut best = None;
        let mut reach = -1;
        let mut k = -self.limit;
        while k <= self.limit {
            let x = self.fwd.get(self.limit, k);
            let y = x - k;
            if x + y > reach && x <= self.ux && y <= self.uy {
                reach = x + y;
                best = Some(k);
            }
            k += 2;
        }
        best.map(|k| self.forward_lcs(self.limit, k))
    }

    /// Walks the labels back from (d, k) to (0,0), collecting the diagonal edges.
    pub(super) fn forward_lcs(&self, mut d: isize, mut k: isize) -> Vec<Diag> {
        let mut lcs = Vec::new();
        let mut x = self.fwd.get(d, k);
        while x != 0 || x - k != 0 {
            if ok(d - 1, k - 1) && x - 1 == self.fwd.get(d - 1, k - 1) {
                (d, k, x) = (d - 1, k - 1, x - 1);
                continue;
            }
            if ok(d - 1, k + 1) && x == self.fwd.get(d - 1, k + 1) {
                (d, k) = (d - 1, k + 1);
                continue;
            }
            if x <= 0 {
                break; // labels that do not lead home (never with labels the search set)
            }
            prepend(&mut lcs, x - 1, x - k - 1);
            x -= 1;
        }
        lcs
    }
}

/// How many leading elements `a` and `b` share.
fn common_prefix_len<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).take_while(|(p, q)| p == q).count()
}
