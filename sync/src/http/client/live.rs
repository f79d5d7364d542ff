//! The phone's subscription to the live channel (`GET /v1/live`): an open `text/event-stream`
//! read as [`LiveEvent`]s. See [`crate::http::live`] for what each event asks of the phone.
//!
//! Reconnecting is the caller's decision, like retrying a sync: when [`LiveStream::next`]
//! returns an error or `None` (the server closed, e.g. when it shut down), subscribe again
//! after a pause, and sync once — the first event of every stream is `resync` for that
//! reason. A phone should also treat a stream that is silent for more than two keep-alive
//! intervals as dead: a mobile proxy may keep a dead connection looking open.

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Response, StatusCode};

use super::error::HttpError;
use super::sse::{Frame, Parser};
use super::{HttpClient, status_error};
use crate::http::live::{EVENT_STREAM, LIVE_PATH, LiveEvent};

/// An open live stream.
#[derive(Debug)]
pub struct LiveStream {
    response: Response,
    parser: Parser,
    pending: std::collections::VecDeque<LiveEvent>,
    ended: bool,
}

impl HttpClient {
    /// Opens the live stream. A refused token is [`HttpError::Status`] 401 with the server's
    /// `{code, message}`, before any event.
    pub async fn live(&self) -> Result<LiveStream, HttpError> {
        let response = self
            .request(Method::GET, LIVE_PATH)
            .header(ACCEPT, EVENT_STREAM)
            .send()
            .await
            .map_err(|e| HttpError::transport(&e))?;
        let status = response.status();
        if status != StatusCode::OK {
            let body = response
                .bytes()
                .await
                .map_err(|e| HttpError::transport(&e))?;
            return Err(status_error(status.as_u16(), &body, self.locale));
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // A captive portal answers 200 with a page of its own.
        if !content_type.starts_with(EVENT_STREAM) {
            return Err(HttpError::decode(format!(
                "live answer of type {content_type:?}"
            )));
        }
        Ok(LiveStream {
            response,
            parser: Parser::default(),
            pending: std::collections::VecDeque::new(),
            ended: false,
        })
    }
}

impl LiveStream {
    /// The next event; `Ok(None)` once the server has ended the stream. Events this build
    /// does not know are skipped.
    pub async fn next(&mut self) -> Result<Option<LiveEvent>, HttpError> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(Some(event));
            }
            if self.ended {
                return Ok(None);
            }
            match self
                .response
                .chunk()
                .await
                .map_err(|e| HttpError::transport(&e))?
            {
                None => self.ended = true,
                Some(chunk) => {
                    let frames = self.parser.feed(&chunk).map_err(|_| {
                        self.ended = true;
                        HttpError::decode("the live stream is not an event stream")
                    })?;
                    self.pending
                        .extend(frames.into_iter().filter_map(|frame| match frame {
                            Frame::Comment(_) => Some(LiveEvent::KeepAlive),
                            Frame::Event { name, data } => LiveEvent::from_sse(&name, &data),
                        }));
                }
            }
        }
    }
}
