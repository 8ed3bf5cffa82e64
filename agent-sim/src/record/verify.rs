//! The recorder's own check: the recorded scenario is served by an in-process simulator and
//! each recorded GET is asked again; a route whose answer differs from the live agent's
//! (status, `Content-Type` or body bytes) is written down as a note.

use super::live::{Answer, Live, LiveError};
use super::sections::Notes;
use crate::{Scenario, Sim, StartError};
use std::time::Duration;

/// Why the check could not run.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot serve the recorded scenario: {0}")]
    Start(#[from] StartError),
    #[error("cannot read the recorded scenario back: {0}")]
    Live(#[from] LiveError),
}

/// Serves `scenario` and compares its answers with `recorded` (route, live answer).
pub async fn check(
    scenario: &Scenario,
    recorded: &[(&'static str, Answer)],
    notes: &mut Notes,
) -> Result<(), VerifyError> {
    let sim = Sim::builder().scenario(scenario.clone()).start().await?;
    let served = Live::new(&sim.url(), Duration::from_secs(30));
    let result = async {
        let served = served?;
        for (route, live) in recorded {
            let again = served.get(route).await?;
            if let Some(what) = difference(live, &again) {
                notes.push(format!(
                    "GET {route}: the scenario answers differently from the live agent ({what})"
                ));
            }
        }
        Ok(())
    }
    .await;
    sim.shutdown().await;
    result
}

/// What differs between two answers, if anything.
pub fn difference(live: &Answer, served: &Answer) -> Option<String> {
    if live.status != served.status {
        return Some(format!(
            "status {} instead of {}",
            served.status, live.status
        ));
    }
    if live.content_type != served.content_type {
        return Some(format!(
            "Content-Type {:?} instead of {:?}",
            served.content_type, live.content_type
        ));
    }
    if live.body != served.body {
        let at = live
            .body
            .iter()
            .zip(&served.body)
            .position(|(a, b)| a != b)
            .unwrap_or(live.body.len().min(served.body.len()));
        return Some(format!(
            "body of {} bytes instead of {}, first difference at byte {at}",
            served.body.len(),
            live.body.len()
        ));
    }
    None
}
