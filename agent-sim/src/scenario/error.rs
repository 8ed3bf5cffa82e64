//! Why a scenario was rejected: the one error type every section's validation returns.

/// Why a scenario was rejected; always names where (file or source) and the JSON path.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A scenario file could not be read.
    #[error("{origin}: cannot read: {source}")]
    Io {
        /// Where the scenario came from (a file, `PUT /__sim/scenario`, …).
        origin: String,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// No shipped fixture has that name.
    #[error("no shipped fixture called {name:?}; the shipped fixtures are: {}", known.join(", "))]
    UnknownFixture {
        /// The name asked for.
        name: String,
        /// The names that exist.
        known: Vec<String>,
    },
    /// The scenario is invalid at `path`.
    #[error("{origin}: at {path}: {message}")]
    Invalid {
        /// Where the scenario came from (a file, `PUT /__sim/scenario`, …).
        origin: String,
        /// JSON path of the field at fault, e.g. `listening_ports.ports[0].port`.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl ScenarioError {
    /// An [`Invalid`](Self::Invalid) error (`path` `?` or empty means the document itself).
    pub fn invalid(origin: &str, path: impl Into<String>, message: impl Into<String>) -> Self {
        let path = path.into();
        // serde_path_to_error says "?" when the document itself is at fault.
        let path = if path == "?" || path.is_empty() {
            ".".to_string()
        } else {
            path
        };
        Self::Invalid {
            origin: origin.to_string(),
            path,
            message: message.into(),
        }
    }

    /// The JSON path at fault (`.` for the document itself or I/O errors).
    pub fn path(&self) -> &str {
        match self {
            Self::Io { .. } | Self::UnknownFixture { .. } => ".",
            Self::Invalid { path, .. } => path,
        }
    }
}
