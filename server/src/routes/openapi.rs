//! `GET /api/openapi.json`: the OpenAPI 3.1 document of every endpoint, generated with
//! `utoipa` from the handlers' own annotations and types. The sync and blob endpoints are
//! served by `wangge-sync`'s routers (binary bodies, the tus protocol); they are described by
//! the annotated stubs at the end of this file. `server/tests/api/openapi.rs` keeps the
//! document true: every documented operation is served, and real answers match their
//! schemas.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::cases::{CaseDetail, CaseList, SummaryView, TimelineLine};
use super::error::ErrorBody;
use super::session::{DeviceIntro, SignIn, SignedIn, UserView};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Wangge (网格) server API",
        description = "Grid workers' phones sync cases and photos; consoles review them. \
                       Errors are `{code, message}` in the language of `Accept-Language` \
                       (zh-CN by default)."
    ),
    paths(
        super::health::healthz,
        super::health::readyz,
        super::session::sign_in,
        super::session::sign_out,
        super::session::me,
        super::cases::list,
        super::cases::get,
        super::live::live,
        crate::metrics::render,
        openapi_json,
        sync,
        blob_options,
        blob_create,
        blob_head,
        blob_patch,
        blob_get,
    ),
    components(schemas(
        ErrorBody, SignIn, DeviceIntro, SignedIn, UserView, CaseList, SummaryView, CaseDetail,
        TimelineLine
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "session", description = "Sign-in, device enrolment, sign-out"),
        (name = "review", description = "The review inbox and case detail (consoles)"),
        (name = "sync", description = "Case sync and photos (phones)"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer token scheme the secured operations name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /api/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "operations",
    responses((status = 200, description = "This document", content_type = "application/json"))
)]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

// The endpoints `wangge-sync` serves, described here (never called: the routes are the sync
// crate's). Their bodies are binary; see the `wangge_sync` crate docs for the formats.

/// One sync round: uploads, verdicts, and the feed since the cursor.
#[utoipa::path(
    post,
    path = "/v1/sync",
    tag = "sync",
    security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "application/x-wangge-sync",
        description = "An encoded `SyncRequest` (\"WG\", version, kind, zstd of CBOR)"),
    responses(
        (status = 200, description = "An encoded `SyncResponse`", content_type = "application/x-wangge-sync", body = Vec<u8>),
        (status = 400, description = "A malformed or refused request", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 413, description = "Over the message size limit", body = ErrorBody),
        (status = 429, description = "Too many syncs for this token", body = ErrorBody),
        (status = 503, description = "The store is unavailable; retry later", body = ErrorBody),
    )
)]
#[allow(dead_code)]
fn sync() {}

/// What the photo endpoints support (tus 1.0 discovery; no token needed).
#[utoipa::path(
    options,
    path = "/v1/blobs",
    tag = "sync",
    responses((status = 204, description = "`Tus-Version`, `Tus-Extension: creation`, `Tus-Max-Size`"))
)]
#[allow(dead_code)]
fn blob_options() {}

/// Starts (or finds) a resumable photo upload (tus 1.0 creation).
#[utoipa::path(
    post,
    path = "/v1/blobs",
    tag = "sync",
    security(("bearer" = [])),
    params(("Upload-Length" = u64, Header, description = "The photo's size in bytes"),
           ("Upload-Metadata" = String, Header, description = "`sha256 <base64 of the SHA-256>`"),
           ("Tus-Resumable" = String, Header, description = "1.0.0")),
    responses(
        (status = 201, description = "Upload created, at `Location`"),
        (status = 200, description = "Already stored or under way: `Upload-Offset`, `Upload-Length`"),
        (status = 400, description = "A bad header", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 412, description = "Unsupported `Tus-Resumable` version", body = ErrorBody),
        (status = 413, description = "Over the photo size limit", body = ErrorBody),
    )
)]
#[allow(dead_code)]
fn blob_create() {}

/// Where an upload stands, for resuming.
#[utoipa::path(
    head,
    path = "/v1/blobs/{sha256}",
    tag = "sync",
    security(("bearer" = [])),
    params(("sha256" = String, Path, description = "SHA-256 of the photo, 64 hex digits")),
    responses(
        (status = 200, description = "`Upload-Offset` and `Upload-Length` headers"),
        (status = 404, description = "No such upload or photo"),
    )
)]
#[allow(dead_code)]
fn blob_head() {}

/// Appends checksummed 4 KiB frames at `Upload-Offset` (a cut body keeps its whole frames).
#[utoipa::path(
    patch,
    path = "/v1/blobs/{sha256}",
    tag = "sync",
    security(("bearer" = [])),
    params(("sha256" = String, Path, description = "SHA-256 of the photo, 64 hex digits"),
           ("Upload-Offset" = u64, Header, description = "Where these bytes start"),
           ("Wangge-Framing" = String, Header, description = "`frames-v1`")),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses(
        (status = 204, description = "Appended; the new `Upload-Offset`"),
        (status = 400, description = "A malformed frame or header", body = ErrorBody),
        (status = 404, description = "No such upload", body = ErrorBody),
        (status = 409, description = "The offset moved; resume from `Upload-Offset`", body = ErrorBody),
        (status = 422, description = "Not a decodable image within the size limits", body = ErrorBody),
        (status = 460, description = "A frame or the whole photo failed its checksum", body = ErrorBody),
    )
)]
#[allow(dead_code)]
fn blob_patch() {}

/// Downloads a photo (ranged), if a case the user may see refers to it.
#[utoipa::path(
    get,
    path = "/v1/blobs/{sha256}",
    tag = "sync",
    security(("bearer" = [])),
    params(("sha256" = String, Path, description = "SHA-256 of the photo, 64 hex digits"),
           ("Range" = Option<String>, Header, description = "`bytes=N-` to resume")),
    responses(
        (status = 200, description = "The photo", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "The rest of the photo from the range's start", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, description = "No such photo, or not visible to this user", body = ErrorBody),
        (status = 416, description = "The range starts past the end", body = ErrorBody),
    )
)]
#[allow(dead_code)]
fn blob_get() {}
