//! Unified diffs of expected vs actual renderings (`similar`).

/// A unified diff, `-` expected, `+` actual.
pub fn unified(expected: &str, actual: &str) -> String {
    unified_labelled(("expected", expected), ("actual", actual))
}

/// A unified diff with its own header labels, e.g. `("reference", …)`, `("target", …)`.
pub fn unified_labelled(old: (&str, &str), new: (&str, &str)) -> String {
    similar::TextDiff::from_lines(old.1, new.1)
        .unified_diff()
        .context_radius(3)
        .header(old.0, new.0)
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
