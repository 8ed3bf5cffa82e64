//! The error a handler returns: it renders the agent's exact error bodies, so a handler is
//! `Result<Response, ApiError>` and says `?` where the agent returns early.
//!
//! - [`ApiError::message`] / [`ApiError::detail`]: `httpapi.Write(status, codersdk.Response{
//!   Message, Detail})`, the agent's usual error envelope;
//! - [`ApiError::bad_json`]: 400 `Request body must be valid JSON.` with the decoder's error;
//! - [`ApiError::Response`]: any other answer built with `response` (validations, headers).

use crate::response;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

/// A handler's early answer.
#[derive(Debug)]
pub enum ApiError {
    /// A `codersdk.Response` envelope with a message and (possibly empty) detail.
    Message {
        /// The status code.
        status: StatusCode,
        /// `message`.
        message: String,
        /// `detail` (omitted when empty).
        detail: String,
    },
    /// An answer built some other way.
    Response(Box<Response>),
}

impl ApiError {
    /// `codersdk.Response{Message: message}` with `status`.
    pub fn message(status: StatusCode, message: impl Into<String>) -> Self {
        Self::detail(status, message, "")
    }

    /// `codersdk.Response{Message: message, Detail: detail}` with `status`.
    pub fn detail(
        status: StatusCode,
        message: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self::Message {
            status,
            message: message.into(),
            detail: detail.into(),
        }
    }

    /// 400 `Request body must be valid JSON.` with the decoder's error as detail.
    pub fn bad_json(detail: impl Into<String>) -> Self {
        Self::detail(
            StatusCode::BAD_REQUEST,
            "Request body must be valid JSON.",
            detail,
        )
    }
}

impl From<Response> for ApiError {
    fn from(resp: Response) -> Self {
        Self::Response(Box::new(resp))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Message {
                status,
                message,
                detail,
            } => response::message(status, &message, &detail),
            Self::Response(resp) => *resp,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(e: ApiError) -> (StatusCode, Vec<u8>) {
        let resp = e.into_response();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, bytes.to_vec())
    }

    #[tokio::test]
    async fn renders_the_agent_envelope() {
        assert_eq!(
            body(ApiError::message(
                StatusCode::CONFLICT,
                "Process \"x\" is not running."
            ))
            .await,
            (
                StatusCode::CONFLICT,
                b"{\"message\":\"Process \\\"x\\\" is not running.\"}\n".to_vec()
            )
        );
        assert_eq!(
            body(ApiError::bad_json("unexpected EOF")).await,
            (
                StatusCode::BAD_REQUEST,
                b"{\"message\":\"Request body must be valid JSON.\",\"detail\":\"unexpected EOF\"}\n".to_vec()
            )
        );
    }
}
