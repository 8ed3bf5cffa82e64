//! Why a case failed: the reason, the request as sent, the expected and actual answers with
//! their diff, and a `curl` reproducer. Built by `expect` and `context`,
//! carried by the runner into the reports.

/// A case failed: why, and everything needed to reproduce and understand it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    /// Why, in one line.
    pub reason: String,
    /// The request as sent (request line, headers, body).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// What the agent should have answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// Unified diff expected → actual.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// A `curl` command reproducing the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curl: Option<String>,
}

impl Failure {
    /// A failure with only a reason.
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            ..Self::default()
        }
    }

    /// Adds expected/actual and their diff, each cut at [`crate::diff::SHOWN`] bytes so that
    /// a huge answer cannot blow up the reports (the cut is said in the text).
    pub fn with_diff(mut self, expected: &str, actual: &str) -> Self {
        let expected = crate::diff::shown(expected);
        let actual = crate::diff::shown(actual);
        self.diff = Some(crate::diff::unified(&expected, &actual));
        self.expected = Some(expected.into_owned());
        self.actual = Some(actual.into_owned());
        self
    }
}
