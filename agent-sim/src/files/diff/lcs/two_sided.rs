//! The search from both corners at once: forward and backward steps alternate until a forward
//! and a backward path meet on one diagonal (Myers' middle snake), then the whole subsequence is
//! pieced together from the two sides' labels, recomputing a forward path only when no label
//! already spells it.

use super::{fix, ok, sort_lcs, Diag, EditGraph};

impl<T: PartialEq> EditGraph<'_, T> {
    pub(super) fn two_sided(&mut self) -> Vec<Diag> {
        self.set_forward(0, 0, 0);
        self.set_backward(0, 0, self.ux);
        for d in 0..self.limit {
            if let Some(k) = self.meeting(d, d) {
                return self.join(d, d, k);
            }
            self.forward_step(d);
            if let Some(k) = self.meeting(d + 1, d) {
                return self.join(d + 1, d, k);
            }
            self.backward_step(d);
        }
        let mut lcs = self.forward_partial().unwrap_or_default();
        lcs.extend(self.backward_partial().unwrap_or_default());
        fix(lcs)
    }

    /// The forward diagonal where the step-`df` forward and step-`db` backward paths meet (the
    /// backward one at or left of the forward one), preferring from the first such diagonal on
    /// one where the join needs no recomputation.
    fn meeting(&self, df: isize, db: isize) -> Option<isize> {
        if (df + db + self.delta) % 2 != 0 {
            return None; // the two sides' diagonals have different parities
        }
        let lowest = (-df).max(-db + self.delta);
        let highest = df.min(db + self.delta);
        let mut k = lowest;
        while k <= highest {
            if self.bwd.get(db, k - self.delta) <= self.fwd.get(df, k) {
                return Some(self.easy_meeting(df, db, k, highest).unwrap_or(k));
            }
            k += 2;
        }
        None
    }

    /// From diagonal `from` on, the first one where the paths touch or one of them lies on the
    /// rectangle's border.
    fn easy_meeting(&self, df: isize, db: isize, from: isize, highest: isize) -> Option<isize> {
        let mut l = from;
        while l <= highest {
            let x = self.fwd.get(df, l);
            let u = self.bwd.get(db, l - self.delta);
            let (y, v) = (x - l, u - l);
            if x == u || u == 0 || v == 0 || y == self.uy || x == self.ux {
                return Some(l);
            }
            l += 2;
        }
        None
    }

    /// The whole subsequence through the meeting on forward diagonal `kf`: the forward path
    /// ends at (x,y), the backward one at (u,v), u <= x.
    fn join(&mut self, df: isize, db: isize, kf: isize) -> Vec<Diag> {
        let x = self.fwd.get(df, kf);
        let y = x - kf;
        let kb = kf - self.delta;
        let u = self.bwd.get(db, kb);
        let v = u - kf;
        if x == u {
            return joined(self.forward_lcs(df, kf), self.backward_lcs(db, kb));
        }
        if let Some(k) = self.forward_one_edge_before(df, u, v) {
            return joined(self.forward_lcs(df - 1, k), self.backward_lcs(db, kb));
        }
        // A path along the border adds nothing to the subsequence.
        if u == 0 || v == 0 {
            return self.backward_lcs(db, kb);
        }
        if x == self.ux || y == self.uy {
            return self.forward_lcs(df, kf);
        }
        if let Some(k) = self.backward_one_edge_after(db, x, y) {
            return joined(self.backward_lcs(db - 1, k), self.forward_lcs(df, kf));
        }
        self.recompute_front(db, kb, u, v)
    }

    /// The diagonal of a step-`(df-1)` forward path ending one horizontal or vertical edge
    /// before (u,v), if there is one.
    fn forward_one_edge_before(&self, df: isize, u: isize, v: isize) -> Option<isize> {
        let d = df - 1;
        let left = u - 1 - v;
        if u > 0 && ok(d, left) && self.fwd.get(d, left) == u - 1 {
            return Some(left);
        }
        let below = u - (v - 1);
        if v > 0 && ok(d, below) && self.fwd.get(d, below) == u {
            return Some(below);
        }
        None
    }

    /// The diagonal of a step-`(db-1)` backward path ending one horizontal or vertical edge
    /// after (x,y), if there is one.
    fn backward_one_edge_after(&self, db: isize, x: isize, y: isize) -> Option<isize> {
        let d = db - 1;
        let right = x + 1 - y - self.delta;
        if x < self.ux && ok(d, right) && self.bwd.get(d, right) == x + 1 {
            return Some(right);
        }
        let above = x - (y + 1) - self.delta;
        if y < self.uy && ok(d, above) && self.bwd.get(d, above) == x {
            return Some(above);
        }
        None
    }

    /// The backward path to (u,v) plus a fresh forward search of the rectangle below (u,v).
    fn recompute_front(&mut self, db: isize, kb: isize, u: isize, v: isize) -> Vec<Diag> {
        let back = self.backward_lcs(db, kb);
        let (ux, uy) = (self.ux, self.uy);
        (self.ux, self.uy) = (u, v);
        let front = self.forward();
        (self.ux, self.uy) = (ux, uy);
        joined(back, front)
    }
}

/// Two pieces of one subsequence, in order.
fn joined(mut first: Vec<Diag>, second: Vec<Diag>) -> Vec<Diag> {
    first.extend(second);
    sort_lcs(&mut first);
    first
}
