//! Go's `time.Time` on the JSON wire, for the containers API and the request journal:
//! RFC 3339 parsed the way `time.Time.UnmarshalJSON` does, printed the way `MarshalJSON` does
//! (nanoseconds, trailing zeros trimmed, `Z` for a zero offset), comparable by instant, and the
//! civil-date arithmetic both need.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A wall-clock time with its UTC offset, as Go keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoTime {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    /// Offset east of UTC in seconds.
    offset: i32,
}

impl Default for GoTime {
    /// Go's zero time, `0001-01-01T00:00:00Z`.
    fn default() -> Self {
        Self {
            year: 1,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            nanos: 0,
            offset: 0,
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u32, |acc, b| {
        acc.checked_mul(10)?.checked_add(u32::from(b - b'0'))
    })
}

impl GoTime {
    /// The current time in UTC, with nanoseconds.
    pub fn now() -> Self {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Self::from_unix_nanos(since.as_nanos() as i128)
    }

    /// A UTC time from nanoseconds since the Unix epoch.
    pub fn from_unix_nanos(n: i128) -> Self {
        let secs = n.div_euclid(1_000_000_000) as i64;
        let nanos = n.rem_euclid(1_000_000_000) as u32;
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        Self {
            year: y as i32,
            month: m,
            day: d,
            hour: sod / 3600,
            minute: sod / 60 % 60,
            second: sod % 60,
            nanos,
            offset: 0,
        }
    }

    /// Nanoseconds since the Unix epoch of this instant.
    pub fn unix_nanos(&self) -> i128 {
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        let secs = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset);
        i128::from(secs) * 1_000_000_000 + i128::from(self.nanos)
    }

    /// `t.Before(u)`: compares instants, not wall clocks.
    pub fn before(&self, other: &GoTime) -> bool {
        self.unix_nanos() < other.unix_nanos()
    }

    /// Parses RFC 3339 as Go's `time.Time.UnmarshalJSON` accepts it.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || format!("cannot parse {s:?} as an RFC 3339 time");
        let b = s.as_bytes();
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(bad());
        }
        let year = digits(&b[0..4]).ok_or_else(bad)? as i32;
        let month = digits(&b[5..7]).ok_or_else(bad)?;
        let day = digits(&b[8..10]).ok_or_else(bad)?;
        let hour = digits(&b[11..13]).ok_or_else(bad)?;
        let minute = digits(&b[14..16]).ok_or_else(bad)?;
        let second = digits(&b[17..19]).ok_or_else(bad)?;
        let mut rest = &b[19..];
        let mut nanos = 0u32;
        if let Some(frac) = rest.strip_prefix(b".") {
            let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 || n > 9 {
                return Err(bad());
            }
            nanos = digits(&frac[..n]).ok_or_else(bad)? * 10u32.pow(9 - n as u32);
            rest = &frac[n..];
        }
        let offset = match rest {
            b"Z" => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let h = digits(&[*h1, *h2]).ok_or_else(bad)?;
                let m = digits(&[*m1, *m2]).ok_or_else(bad)?;
                if h > 23 || m > 59 {
                    return Err(bad());
                }
                let off = (h * 3600 + m * 60) as i32;
                if *sign == b'-' {
                    -off
                } else {
                    off
                }
            }
            _ => return Err(bad()),
        };
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return Err(format!("{s:?}: time out of range"));
        }
        Ok(Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos,
            offset,
        })
    }
}

impl fmt::Display for GoTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            write!(f, ".{}", frac.trim_end_matches('0'))?;
        }
        if self.offset == 0 {
            f.write_str("Z")
        } else {
            let sign = if self.offset < 0 { '-' } else { '+' };
            let off = self.offset.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", off / 3600, off / 60 % 60)
        }
    }
}

impl Serialize for GoTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GoTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        GoTime::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_go_rfc3339nano() {
        let t = GoTime::parse("2026-06-01T10:00:00.123456789Z").unwrap();
        assert_eq!(t.to_string(), "2026-06-01T10:00:00.123456789Z");
        let t = GoTime::parse("2026-06-01T10:00:00.500000000Z").unwrap();
        assert_eq!(t.to_string(), "2026-06-01T10:00:00.5Z");
        let t = GoTime::parse("2026-06-01T10:00:00.000Z").unwrap();
        assert_eq!(t.to_string(), "2026-06-01T10:00:00Z");
        let t = GoTime::parse("2026-06-01T10:00:00+00:00").unwrap();
        assert_eq!(t.to_string(), "2026-06-01T10:00:00Z");
        let t = GoTime::parse("2026-06-01T12:00:00+02:00").unwrap();
        assert_eq!(t.to_string(), "2026-06-01T12:00:00+02:00");
        assert_eq!(GoTime::default().to_string(), "0001-01-01T00:00:00Z");
    }

    #[test]
    fn compares_instants() {
        let a = GoTime::parse("2026-06-01T12:00:00+02:00").unwrap();
        let b = GoTime::parse("2026-06-01T10:00:00.000000001Z").unwrap();
        assert!(a.before(&b));
        assert!(!b.before(&a));
    }

    #[test]
    fn round_trips_unix_nanos() {
        for n in [
            0i128,
            1,
            1_780_000_000_123_456_789,
            -62_135_596_800_000_000_000,
        ] {
            assert_eq!(GoTime::from_unix_nanos(n).unix_nanos(), n);
        }
        assert_eq!(
            GoTime::from_unix_nanos(-62_135_596_800_000_000_000),
            GoTime::default()
        );
    }

    #[test]
    fn rejects_what_go_rejects() {
        for s in [
            "",
            "2026-06-01",
            "2026-06-01 10:00:00Z",
            "2026-13-01T10:00:00Z",
            "2026-02-30T10:00:00Z",
            "2026-06-01T10:00:00",
            "2026-06-01T10:00:00.Z",
            "2026-06-01T10:00:00.1234567890Z",
            "2026-06-01T25:00:00Z",
        ] {
            assert!(GoTime::parse(s).is_err(), "{s}");
        }
    }
}
