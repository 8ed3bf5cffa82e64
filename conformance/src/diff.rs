//! Unified diffs of expected vs actual renderings (`similar`), over texts cut to a size a
//! report can hold.

use std::borrow::Cow;

/// How much of an expected or actual rendering a failure keeps.
pub const SHOWN: usize = 64 * 1024;

/// `text`, or its first [`SHOWN`] bytes and a line saying how much was left out.
pub fn shown(text: &str) -> Cow<'_, str> {
    if text.len() <= SHOWN {
        return Cow::Borrowed(text);
    }
    let mut cut = SHOWN;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Cow::Owned(format!(
        "{}\n… ({} more bytes not shown)\n",
        &text[..cut],
        text.len() - cut
    ))
}

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

    #[test]
    fn long_texts_are_cut_with_a_note() {
        let long = "é".repeat(super::SHOWN);
        let s = super::shown(&long);
        assert!(s.len() < super::SHOWN + 100);
        assert!(s.ends_with(&format!(
            "… ({} more bytes not shown)\n",
            long.len() - super::SHOWN
        )));
        assert_eq!(super::shown("short"), "short");
    }
}
