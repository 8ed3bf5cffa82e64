//! `GET /`: the agent's hello.

use crate::response;
use axum::response::Response;
use bytes::Bytes;
use http::StatusCode;

/// `httpapi.Write` of `codersdk.Response{Message: "Hello from the agent!"}`, encoded once.
const HELLO: &[u8] = b"{\"message\":\"Hello from the agent!\"}\n";

pub async fn say_hello() -> Response {
    response::bytes_with_type(
        StatusCode::OK,
        Bytes::from_static(HELLO),
        Some(response::JSON_CONTENT_TYPE),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_is_the_encoded_envelope() {
        let encoded = crate::gojson::to_vec(&response::ApiResponse::new("Hello from the agent!"));
        assert_eq!(HELLO, encoded.as_slice());
    }
}
