//! `GET /`: the agent's hello.

use crate::response;
use axum::response::Response;
use http::StatusCode;

pub async fn hello() -> Response {
    response::message(StatusCode::OK, "Hello from the agent!", "")
}
