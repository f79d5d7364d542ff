//! Blob requests as HTTP and HTTP answers as blob responses, after [`crate::blob::http`], so
//! the phone's state machines read the same values they would get from the hub in process.

use reqwest::header::{CONTENT_TYPE, HeaderMap, RANGE};
use reqwest::{Method, Response};

use super::error::HttpError;
use super::{HttpClient, status_error};
use crate::blob::http::{
    CONTENT_RANGE, FRAMING, FRAMING_V1, PATCH_CONTENT_TYPE, TUS_RESUMABLE, TUS_VERSION,
    UPLOAD_LENGTH, UPLOAD_METADATA, UPLOAD_OFFSET, parse_content_range, range, status,
    upload_metadata,
};
use crate::blob::{BlobError, BlobRequest, BlobResponse};

/// Which request an answer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    Head,
    Create,
    Patch,
    Get,
}

impl HttpClient {
    /// Sends one blob request and reads the answer. `Err` when there was no complete answer
    /// (network failure, a download cut short) or a refusal outside the blob protocol (401,
    /// 5xx); the hub's own refusals are [`BlobResponse::Error`].
    pub async fn blob(&self, request: BlobRequest) -> Result<BlobResponse, HttpError> {
        match self.blob_partial(request).await? {
            (_, Some(cut)) => Err(cut),
            (answer, None) => Ok(answer),
        }
    }

    /// Like [`HttpClient::blob`], but a download cut short comes back as the `Data` that
    /// arrived together with the failure, so the bytes are not lost.
    pub(super) async fn blob_partial(
        &self,
        request: BlobRequest,
    ) -> Result<(BlobResponse, Option<HttpError>), HttpError> {
        let path = request.http_path();
        let (asked, builder) = match request {
            BlobRequest::Head { .. } => (
                Asked::Head,
                self.request(Method::HEAD, &path)
                    .header(TUS_RESUMABLE, TUS_VERSION),
            ),
            BlobRequest::Create { hash, length } => (
                Asked::Create,
                self.request(Method::POST, &path)
                    .header(TUS_RESUMABLE, TUS_VERSION)
                    .header(UPLOAD_LENGTH, length)
                    .header(UPLOAD_METADATA, upload_metadata(&hash)),
            ),
            BlobRequest::Patch { offset, body, .. } => (
                Asked::Patch,
                self.request(Method::PATCH, &path)
                    .header(TUS_RESUMABLE, TUS_VERSION)
                    .header(UPLOAD_OFFSET, offset)
                    .header(FRAMING, FRAMING_V1)
                    .header(CONTENT_TYPE, PATCH_CONTENT_TYPE)
                    .body(body),
            ),
            BlobRequest::Get { from, .. } => (
                Asked::Get,
                self.request(Method::GET, &path).header(RANGE, range(from)),
            ),
        };
        let response = builder.send().await.map_err(|e| HttpError::transport(&e))?;
        let code = response.status().as_u16();
        if let Asked::Get = asked
            && matches!(code, status::OK | status::PARTIAL_CONTENT)
        {
            return data(response).await;
        }
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| HttpError::transport(&e))?;
        let answer = match (asked, code) {
            (Asked::Head | Asked::Create | Asked::Patch, status::OK) => where_it_stands(&headers)?,
            (Asked::Head | Asked::Get, status::NOT_FOUND) => BlobResponse::Unknown,
            (Asked::Create, status::CREATED) => BlobResponse::Created,
            (Asked::Patch, status::NO_CONTENT) => BlobResponse::Accepted {
                offset: number(&headers, UPLOAD_OFFSET)?,
            },
            (_, 400..=499) => match serde_json::from_slice::<BlobError>(&body) {
                Ok(error) => BlobResponse::Error(error),
                Err(_) => return Err(status_error(code, &body, self.locale)),
            },
            (_, 100..=399) => {
                return Err(HttpError::decode(format!(
                    "status {code} is not an answer to {asked:?}"
                )));
            }
            _ => return Err(status_error(code, &body, self.locale)),
        };
        Ok((answer, None))
    }
}

/// Reads a download's body as far as it arrives; a cut body returns what came with the
/// failure.
async fn data(mut response: Response) -> Result<(BlobResponse, Option<HttpError>), HttpError> {
    let (from, total) = if response.status().as_u16() == status::PARTIAL_CONTENT {
        let value = text(response.headers(), CONTENT_RANGE)
            .ok_or_else(|| HttpError::decode("206 without Content-Range"))?;
        let (from, total) = parse_content_range(value)
            .ok_or_else(|| HttpError::decode(format!("malformed Content-Range {value:?}")))?;
        (from, Some(total))
    } else {
        // From byte 0: the whole blob, as long as the Content-Length says.
        (0, response.content_length())
    };
    let mut bytes = Vec::new();
    let mut cut = None;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => {
                cut = Some(HttpError::transport(&e));
                break;
            }
        }
    }
    match (total, cut) {
        (Some(total), cut) => Ok((BlobResponse::Data { from, total, bytes }, cut)),
        (None, None) => {
            let total = bytes.len() as u64;
            Ok((BlobResponse::Data { from, total, bytes }, None))
        }
        // Without a length the bytes that arrived cannot be placed: nothing is kept.
        (None, Some(cut)) => Err(cut),
    }
}

/// `Progress`, or `Complete` when the offset has reached the length (tus `HEAD`).
fn where_it_stands(headers: &HeaderMap) -> Result<BlobResponse, HttpError> {
    let offset = number(headers, UPLOAD_OFFSET)?;
    let length = number(headers, UPLOAD_LENGTH)?;
    Ok(if offset == length {
        BlobResponse::Complete { length }
    } else {
        BlobResponse::Progress { offset, length }
    })
}

fn text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    Some(headers.get(name)?.to_str().ok()?.trim())
}

fn number(headers: &HeaderMap, name: &str) -> Result<u64, HttpError> {
    text(headers, name)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| HttpError::decode(format!("missing or malformed {name}")))
}
