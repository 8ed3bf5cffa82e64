//! `build`: the text that replaces a whitespace-tolerant match window, keeping the file's
//! indentation, trailing blanks and line endings where the caller did not change them.

use super::line::{parts, split_trimmed, trim_space, Parts};

/// An indentation unit: a tab, or a number of spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Tab,
    Spaces(usize),
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The unit of a set of lines: lines with an empty lead or empty mid are ignored; all-tab
/// leads give a tab, all-space leads the gcd of their lengths; any mix gives none.
fn unit_of<'a>(lines: impl Iterator<Item = Parts<'a>>) -> Option<Unit> {
    let mut tabs = false;
    let mut spaces: Option<usize> = None;
    for p in lines {
        if p.lead.is_empty() || p.mid.is_empty() {
            continue;
        }
        if p.lead.bytes().all(|b| b == b'\t') {
            tabs = true;
        } else if p.lead.bytes().all(|b| b == b' ') {
            spaces = Some(gcd(spaces.unwrap_or(0), p.lead.len()));
        } else {
            return None;
        }
    }
    match (tabs, spaces) {
        (true, None) => Some(Unit::Tab),
        (false, Some(n)) if n > 0 => Some(Unit::Spaces(n)),
        _ => None,
    }
}

/// The level of `lead` in `unit`, if it is an exact multiple.
fn level(lead: &str, unit: Unit) -> Option<usize> {
    match unit {
        Unit::Tab => lead.bytes().all(|b| b == b'\t').then_some(lead.len()),
        Unit::Spaces(n) => {
            (lead.bytes().all(|b| b == b' ') && lead.len() % n == 0).then_some(lead.len() / n)
        }
    }
}

fn render(unit: Unit, level: usize) -> String {
    match unit {
        Unit::Tab => "\t".repeat(level),
        Unit::Spaces(n) => " ".repeat(n * level),
    }
}

fn newline_class(e: &str) -> bool {
    !e.is_empty()
}

/// The search lines, replacement lines and file window of one replacement, split into parts,
/// with what the lines share at both ends and the indentation units of each side.
struct Window<'a> {
    sp: Vec<Parts<'a>>,
    rp: Vec<Parts<'a>>,
    mp: Vec<Parts<'a>>,
    prefix: usize,
    suffix: usize,
    unit_s: Option<Unit>,
    unit_f: Option<Unit>,
}

fn same_trimmed(a: &Parts, b: &Parts) -> bool {
    trim_space(&format!("{}{}{}", a.lead, a.mid, a.trail))
        == trim_space(&format!("{}{}{}", b.lead, b.mid, b.trail))
}

impl<'a> Window<'a> {
    fn new(m: &[&'a str], s: &[&'a str], rl: &[&'a str]) -> Self {
        let sp: Vec<Parts> = s.iter().map(|l| parts(l)).collect();
        let rp: Vec<Parts> = rl.iter().map(|l| parts(l)).collect();
        let mp: Vec<Parts> = m.iter().map(|l| parts(l)).collect();
        let (len_s, len_r) = (sp.len(), rp.len());
        let min = len_s.min(len_r);
        let prefix = (0..min)
            .take_while(|&i| same_trimmed(&sp[i], &rp[i]))
            .count();
        let suffix = (0..min - prefix)
            .take_while(|&j| same_trimmed(&sp[len_s - 1 - j], &rp[len_r - 1 - j]))
            .count();
        let unit_s = unit_of(sp.iter().chain(rp.iter()).copied());
        let unit_f = unit_of(mp.iter().copied());
        Self {
            sp,
            rp,
            mp,
            prefix,
            suffix,
            unit_s,
            unit_f,
        }
    }

    /// The reference line (search and window index) of replacement line `i`, and whether it
    /// is paired with that search line (inside the shared prefix, suffix or the overlap).
    fn reference(&self, i: usize) -> (usize, bool) {
        let (len_s, len_r) = (self.sp.len(), self.rp.len());
        let (prefix, suffix) = (self.prefix, self.suffix);
        if i < prefix {
            return (i, true);
        }
        if i >= len_r - suffix {
            return (i + len_s - len_r, true);
        }
        if i - prefix < len_s - prefix - suffix {
            return (i, true);
        }
        let k = match (prefix > 0, suffix > 0) {
            (true, true) => {
                let lead = self.rp[i].lead;
                if lead == self.rp[len_r - suffix].lead {
                    len_s - suffix
                } else if lead == self.rp[prefix - 1].lead {
                    prefix - 1
                } else {
                    len_s - suffix
                }
            }
            (false, true) => len_s - suffix,
            (true, false) => prefix - 1,
            (false, false) => i.min(len_s - 1),
        };
        (k, false)
    }

    /// The indentation and trailing blanks replacement line `i` is written with.
    fn lead_and_trail(&self, i: usize, k: usize, paired: bool) -> (String, &'a str) {
        let (r, mk, sk) = (&self.rp[i], &self.mp[k], &self.sp[k]);
        if r.mid.is_empty() {
            return (r.lead.to_string(), r.trail);
        }
        if paired {
            let lead = if sk.lead == r.lead { mk.lead } else { r.lead };
            let trail = if sk.trail == r.trail {
                mk.trail
            } else {
                r.trail
            };
            return (lead.to_string(), trail);
        }
        let computed = match (self.unit_s, self.unit_f) {
            (Some(us), Some(uf)) => {
                match (level(mk.lead, uf), level(r.lead, us), level(sk.lead, us)) {
                    (Some(lm), Some(lr), Some(ls)) if lm + lr >= ls => {
                        Some(render(uf, lm + lr - ls))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        (computed.unwrap_or_else(|| mk.lead.to_string()), r.trail)
    }

    /// The line ending replacement line `i` is written with.
    fn ending(&self, i: usize, k: usize, paired: bool, forced: &'a str, eof: bool) -> &'a str {
        let last = i + 1 == self.rp.len();
        let (r, mk, sk) = (&self.rp[i], &self.mp[k], &self.sp[k]);
        let mut e = r.ending;
        if paired
            && newline_class(sk.ending) == newline_class(r.ending)
            && (!mk.ending.is_empty() || last)
        {
            e = mk.ending;
        }
        if !paired && last && eof {
            e = "";
        }
        if !forced.is_empty() && (!last || !eof) {
            e = forced;
        }
        if last && !eof && e.is_empty() {
            e = if forced.is_empty() { "\n" } else { forced };
        }
        e
    }
}

/// Builds the replacement of window `m` (file lines) matched by `s` (search lines).
pub fn replacement(m: &[&str], s: &[&str], r: &str, forced: &str, eof: bool) -> String {
    let rl = split_trimmed(r);
    if rl.is_empty() {
        return String::new();
    }
    let w = Window::new(m, s, &rl);
    let mut out = String::new();
    for (i, r_line) in w.rp.iter().enumerate() {
        let (k, paired) = w.reference(i);
        let (lead, trail) = w.lead_and_trail(i, k, paired);
        out.push_str(&lead);
        out.push_str(r_line.mid);
        out.push_str(trail);
        out.push_str(w.ending(i, k, paired, forced, eof));
    }
    out
}
