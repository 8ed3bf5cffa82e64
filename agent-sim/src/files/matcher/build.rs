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

/// Builds the replacement of window `m` (file lines) matched by `s` (search lines).
pub fn replacement(m: &[&str], s: &[&str], r: &str, forced: &str, eof: bool) -> String {
    let rl = split_trimmed(r);
    if rl.is_empty() {
        return String::new();
    }
    let (len_s, len_r) = (s.len(), rl.len());
    let sp: Vec<Parts> = s.iter().map(|l| parts(l)).collect();
    let rp: Vec<Parts> = rl.iter().map(|l| parts(l)).collect();
    let mp: Vec<Parts> = m.iter().map(|l| parts(l)).collect();
    let same = |a: &Parts, b: &Parts| {
        trim_space(&format!("{}{}{}", a.lead, a.mid, a.trail))
            == trim_space(&format!("{}{}{}", b.lead, b.mid, b.trail))
    };
    let min = len_s.min(len_r);
    let prefix = (0..min).take_while(|&i| same(&sp[i], &rp[i])).count();
    let suffix = (0..min - prefix)
        .take_while(|&j| same(&sp[len_s - 1 - j], &rp[len_r - 1 - j]))
        .count();
    let unit_s = unit_of(sp.iter().chain(rp.iter()).copied());
    let unit_f = unit_of(mp.iter().copied());

    let mut out = String::new();
    for (i, r_line) in rp.iter().enumerate() {
        let last = i + 1 == len_r;
        // Reference line and whether it is paired with a search line.
        let (k, paired) = if i < prefix {
            (i, true)
        } else if i >= len_r - suffix {
            (i + len_s - len_r, true)
        } else if i - prefix < len_s - prefix - suffix {
            (i, true)
        } else {
            let k = match (prefix > 0, suffix > 0) {
                (true, true) => {
                    let first_suffix_r = &rp[len_r - suffix];
                    let last_prefix_r = &rp[prefix - 1];
                    if r_line.lead == first_suffix_r.lead {
                        len_s - suffix
                    } else if r_line.lead == last_prefix_r.lead {
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
        };
        let (mk, sk) = (&mp[k], &sp[k]);
        let (lead, trail): (String, &str) = if r_line.mid.is_empty() {
            (r_line.lead.to_string(), r_line.trail)
        } else if paired {
            (
                if sk.lead == r_line.lead {
                    mk.lead.to_string()
                } else {
                    r_line.lead.to_string()
                },
                if sk.trail == r_line.trail {
                    mk.trail
                } else {
                    r_line.trail
                },
            )
        } else {
            let computed = match (unit_s, unit_f) {
                (Some(us), Some(uf)) => match (
                    level(mk.lead, uf),
                    level(r_line.lead, us),
                    level(sk.lead, us),
                ) {
                    (Some(lm), Some(lr), Some(ls)) if lm + lr >= ls => {
                        Some(render(uf, lm + lr - ls))
                    }
                    _ => None,
                },
                _ => None,
            };
            (
                computed.unwrap_or_else(|| mk.lead.to_string()),
                r_line.trail,
            )
        };
        let mut e = r_line.ending;
        if paired
            && newline_class(sk.ending) == newline_class(r_line.ending)
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
        out.push_str(&lead);
        out.push_str(r_line.mid);
        out.push_str(trail);
        out.push_str(e);
    }
    out
}
