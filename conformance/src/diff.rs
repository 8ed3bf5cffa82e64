//! Unified diffs of expected vs actual renderings (`similar`).

/// A unified diff, `-` expected, `+` actual.
pub fn unified(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn marks_changed_lines() {
        let d = super::unified("a\nb\n", "a\nc\n");
        assert!(d.contains("-b\n") && d.contains("+c\n"), "{d}");
    }
}
