//! Blob messages as HTTP/1.1 bytes, following [`wangge_sync::blob::http`] (tus 1.0 core +
//! creation, framed PATCH bodies), so the simulated link counts and cuts what a phone
//! really sends.
//!
//! Counted: the request or status line, the headers the mapping requires (`Tus-Resumable`,
//! `Upload-Offset`, `Upload-Length`, `Upload-Metadata`, `Wangge-Framing`, `Content-Type`,
//! `Content-Length`, `Location`) and the body. Not counted: headers every request carries
//! whatever its content (`Host`, `Authorization`, …), which the case-sync figures leave out
//! too. Only what an upload needs is mapped (no `GET`).

use std::fmt::Write as _;

use wangge_proto::values::ContentHash;
use wangge_sync::blob::http::{self, status};
use wangge_sync::blob::{BlobError, BlobRequest, BlobResponse};

use super::Result;

/// A request whose head arrived whole; the body may be a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received<'a> {
    /// `HEAD /v1/blobs/{sha256}`.
    Head(ContentHash),
    /// `POST /v1/blobs`.
    Create(ContentHash, u64),
    /// `PATCH /v1/blobs/{sha256}`: the body that arrived, and whether it is all of it.
    Patch {
        /// The blob.
        hash: ContentHash,
        /// `Upload-Offset`.
        offset: u64,
        /// The bytes of the body that arrived.
        body: &'a [u8],
        /// Fewer bytes than `Content-Length` arrived.
        short: bool,
    },
}

/// The bytes of a request.
pub fn request(request: &BlobRequest) -> Vec<u8> {
    let mut head = format!(
        "{} {} HTTP/1.1\r\n{}: {}\r\n",
        request.http_method(),
        request.http_path(),
        http::TUS_RESUMABLE,
        http::TUS_VERSION
    );
    let body: &[u8] = match request {
        BlobRequest::Head { .. } | BlobRequest::Get { .. } => &[],
        BlobRequest::Create { hash, length } => {
            let _ = write!(
                head,
                "{}: {length}\r\n{}: {}\r\n",
                http::UPLOAD_LENGTH,
                http::UPLOAD_METADATA,
                http::upload_metadata(hash)
            );
            &[]
        }
        BlobRequest::Patch { offset, body, .. } => {
            let _ = write!(
                head,
                "{}: {offset}\r\n{}: {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
                http::UPLOAD_OFFSET,
                http::FRAMING,
                http::FRAMING_V1,
                http::PATCH_CONTENT_TYPE,
                body.len()
            );
            body
        }
    };
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads what arrived of a request; `None` if its head did not arrive whole or is not a blob
/// request (the server answers nothing then).
pub fn parse_request(bytes: &[u8]) -> Option<Received<'_>> {
    let (head, body) = split_head(bytes)?;
    let mut lines = head.split("\r\n");
    let mut start = lines.next()?.split(' ');
    let (method, path) = (start.next()?, start.next()?);
    let headers: Vec<(&str, &str)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim(), value.trim()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    };
    let path_hash = || -> Option<ContentHash> {
        path.strip_prefix(http::BLOBS_PATH)?
            .strip_prefix('/')?
            .parse()
            .ok()
    };
    match method {
        "HEAD" => Some(Received::Head(path_hash()?)),
        "POST" if path == http::BLOBS_PATH => Some(Received::Create(
            http::parse_upload_metadata(header(http::UPLOAD_METADATA)?)?,
            header(http::UPLOAD_LENGTH)?.parse().ok()?,
        )),
        "PATCH" => {
            let length: usize = header("Content-Length")?.parse().ok()?;
            let body = body.get(..length).unwrap_or(body);
            Some(Received::Patch {
                hash: path_hash()?,
                offset: header(http::UPLOAD_OFFSET)?.parse().ok()?,
                body,
                short: body.len() < length,
            })
        }
        _ => None,
    }
}

/// The bytes of the hub's answer about `hash`.
pub fn response(hash: &ContentHash, response: &BlobResponse) -> Vec<u8> {
    let code = response.http_status();
    let mut head = format!(
        "HTTP/1.1 {code} {}\r\n{}: {}\r\n",
        reason(code),
        http::TUS_RESUMABLE,
        http::TUS_VERSION
    );
    let mut body = Vec::new();
    match response {
        BlobResponse::Unknown | BlobResponse::Data { .. } => {}
        BlobResponse::Progress { offset, length } => {
            offset_and_length(&mut head, *offset, *length);
        }
        BlobResponse::Complete { length } => offset_and_length(&mut head, *length, *length),
        BlobResponse::Created => {
            let _ = write!(head, "Location: {}\r\n", http::blob_path(hash));
        }
        BlobResponse::Accepted { offset } => {
            let _ = write!(head, "{}: {offset}\r\n", http::UPLOAD_OFFSET);
        }
        BlobResponse::Error(error) => {
            if let Some(offset) = error_offset(error) {
                let _ = write!(head, "{}: {offset}\r\n", http::UPLOAD_OFFSET);
            }
            body = serde_json::to_vec(error).unwrap_or_default();
            let _ = write!(
                head,
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            );
        }
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend(body);
    out
}

/// Reads the hub's answer.
pub fn parse_response(bytes: &[u8]) -> Result<BlobResponse> {
    let (head, body) = split_head(bytes).ok_or("response head incomplete")?;
    let mut lines = head.split("\r\n");
    let code: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or("bad status line")?;
    let mut offset = None;
    let mut length = None;
    for (name, value) in lines.filter_map(|l| l.split_once(':')) {
        let value = value.trim();
        if name.eq_ignore_ascii_case(http::UPLOAD_OFFSET) {
            offset = Some(value.parse::<u64>()?);
        } else if name.eq_ignore_ascii_case(http::UPLOAD_LENGTH) {
            length = Some(value.parse::<u64>()?);
        }
    }
    Ok(match (code, offset, length) {
        (400.., _, _) if !body.is_empty() => BlobResponse::Error(serde_json::from_slice(body)?),
        (status::NOT_FOUND, _, _) => BlobResponse::Unknown,
        (status::OK, Some(offset), Some(length)) if offset == length => {
            BlobResponse::Complete { length }
        }
        (status::OK, Some(offset), Some(length)) => BlobResponse::Progress { offset, length },
        (status::CREATED, _, _) => BlobResponse::Created,
        (status::NO_CONTENT, Some(offset), _) => BlobResponse::Accepted { offset },
        _ => return Err(format!("unexpected response: status {code}").into()),
    })
}

fn split_head(bytes: &[u8]) -> Option<(&str, &[u8])> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..end]).ok()?;
    Some((head, &bytes[end + 4..]))
}

fn offset_and_length(head: &mut String, offset: u64, length: u64) {
    let _ = write!(
        head,
        "{}: {offset}\r\n{}: {length}\r\n",
        http::UPLOAD_OFFSET,
        http::UPLOAD_LENGTH
    );
}

fn error_offset(error: &BlobError) -> Option<u64> {
    match error {
        BlobError::OffsetMismatch { offset }
        | BlobError::ChecksumMismatch { offset }
        | BlobError::FrameMalformed { offset } => Some(*offset),
        _ => None,
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        status::OK => "OK",
        status::CREATED => "Created",
        status::NO_CONTENT => "No Content",
        status::PARTIAL_CONTENT => "Partial Content",
        status::BAD_REQUEST => "Bad Request",
        status::NOT_FOUND => "Not Found",
        status::CONFLICT => "Conflict",
        status::PAYLOAD_TOO_LARGE => "Content Too Large",
        status::RANGE_NOT_SATISFIABLE => "Range Not Satisfiable",
        status::UNPROCESSABLE_CONTENT => "Unprocessable Content",
        _ => "Checksum Mismatch",
    }
}
