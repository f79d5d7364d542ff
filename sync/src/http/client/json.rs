//! JSON calls to the server's API (`/api/…`), such as signing in: the same credentials,
//! language and error mapping as the sync and blob calls.

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::HttpError;
use super::{HttpClient, status_error};

impl HttpClient {
    /// Sends `body` as JSON to `path` (e.g. `/api/session`) with `method` and reads the JSON
    /// answer (an empty one as `null`); an error status becomes [`HttpError::Status`] with the server's code and
    /// message.
    pub async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, HttpError> {
        let mut request = self
            .request(method, path)
            .header(ACCEPT, "application/json");
        if let Some(body) = body {
            let bytes = serde_json::to_vec(body).map_err(|e| HttpError::Setup {
                detail: format!("cannot encode the request: {e}"),
            })?;
            request = request.header(CONTENT_TYPE, "application/json").body(bytes);
        }
        let response = request.send().await.map_err(|e| HttpError::transport(&e))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| HttpError::transport(&e))?;
        if !status.is_success() {
            return Err(status_error(status.as_u16(), &body, self.locale));
        }
        // 204 No Content reads as `null` (for `()` or `Option<_>`).
        let body: &[u8] = if status == StatusCode::NO_CONTENT || body.is_empty() {
            b"null"
        } else {
            &body
        };
        serde_json::from_slice(body).map_err(|e| {
            HttpError::decode(format!(
                "the answer to {path} is not what was expected: {e}"
            ))
        })
    }
}
