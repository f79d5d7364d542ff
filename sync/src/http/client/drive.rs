//! The drivers: run the phone's sans-IO protocol over the [`HttpClient`] until it is done or
//! the link fails, leaving everything ready for the caller's next attempt.

use super::HttpClient;
use super::error::HttpError;
use crate::blob::{Download, Step, Upload};
use crate::phone::{PhoneStore, PhoneSync, Report};

/// One sync round trip: build the request from `store`, send it, store the response in one
/// [`PhoneStore::apply`]. When the exchange fails nothing is written, so the next attempt
/// sends the same changes again (the hub ignores what it already has). Sync again while
/// [`Report::more`] says so.
pub async fn sync_once<S: PhoneStore>(
    sync: &PhoneSync,
    store: &mut S,
    client: &HttpClient,
) -> Result<Report, HttpError> {
    let (request, sent) = sync.prepare(store).map_err(HttpError::Sync)?;
    let response = client.sync(&request).await?;
    sync.receive(store, &sent, &response)
        .map_err(HttpError::Sync)
}

/// Drives `upload` of `file` (the whole file, as given to [`Upload::new`]) until the hub has
/// the verified blob. On a network failure (or a refusal outside the blob protocol, such as
/// 401) it returns the error with `upload` ready to resume — it asks the hub where it is
/// first; on [`HttpError::Blob`] the upload gave up.
pub async fn upload(
    client: &HttpClient,
    upload: &mut Upload,
    file: &[u8],
) -> Result<(), HttpError> {
    loop {
        let Some(request) = upload.next_request(file).map_err(HttpError::Blob)? else {
            return match upload.failure() {
                Some(error) => Err(HttpError::Blob(error.clone())),
                None => Ok(()),
            };
        };
        let answer = match client.blob(request).await {
            Ok(answer) => answer,
            Err(error) => {
                upload.on_failure();
                return Err(error);
            }
        };
        match upload.on_response(answer) {
            Step::Continue => {}
            Step::Done => return Ok(()),
            Step::Failed(error) => return Err(HttpError::Blob(error)),
        }
    }
}

/// Drives `download` until every byte arrived and matched the hash (then
/// [`Download::bytes`] has them). On a network failure it keeps the bytes that arrived and
/// returns the error; the next call asks for the rest (`Range: bytes=N-`). On
/// [`HttpError::Blob`] the download gave up.
pub async fn download(client: &HttpClient, download: &mut Download) -> Result<(), HttpError> {
    loop {
        let Some(request) = download.next_request() else {
            return match download.failure() {
                Some(error) => Err(HttpError::Blob(error.clone())),
                None => Ok(()),
            };
        };
        let (answer, cut) = match client.blob_partial(request).await {
            Ok(answer) => answer,
            Err(error) => {
                download.on_failure();
                return Err(error);
            }
        };
        match (download.on_response(answer), cut) {
            (Step::Done, _) => return Ok(()),
            (Step::Failed(error), _) => return Err(HttpError::Blob(error)),
            (Step::Continue, Some(error)) => {
                download.on_failure();
                return Err(error);
            }
            (Step::Continue, None) => {}
        }
    }
}
