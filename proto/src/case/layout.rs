//! The typed parts of the case document (layout version [`SCHEMA_VERSION`]).
//!
//! ```text
//! {
//!   "schema": 1,                      uint, the layout version
//!   "id": "<case id>",                UUIDv7
//!   "origin": Origin,                 who registered it, where, when, how it came in
//!   "category": "SR-01",              catalogue item code
//!   "title": Text,                    collaborative text: concurrent edits merge by character
//!   "description": Text,
//!   "location": Location | null,      replaced as a whole, never mixed field by field
//!   "evidence": { "<sha256>": Evidence },
//!   "comments": { "<comment id>": Comment },
//!   "duplicates": { "<case id>": DuplicateLink },
//!   "departments": { "<department code>": DepartmentSection },
//!   "events": { "<event id>": WorkflowEvent }
//! }
//! ```
//!
//! Collections are maps keyed by the item's own id, never lists: concurrent additions on two
//! phones then both survive, and adding the same item twice is a no-op. Every container is
//! created with the case, so two devices never race to create the same map.

use autosurgeon::{Hydrate, Reconcile, Text};
use serde::{Deserialize, Serialize};

use crate::locale::labelled_enum;
use crate::role::Role;
use crate::values::{
    CaseId, CommentId, ContentHash, DeviceId, GeoPoint, GridCode, Timestamp, UserId,
};

/// The layout version this code writes and reads.
pub const SCHEMA_VERSION: u64 = 1;

labelled_enum! {
    /// How a case came in.
    CaseSource, "case source" {
        /// 巡查发现: found on patrol.
        Patrol = "patrol", "巡查发现", "Patrol";
        /// 12345 热线: the citizen hotline.
        Hotline = "hotline", "12345热线", "Hotline";
        /// 微信群: a residents' WeChat group.
        Wechat = "wechat", "微信群", "WeChat group";
        /// 来访: a resident came in person.
        Visit = "visit", "群众来访", "Visit";
        /// 领导交办: assigned by a leader.
        Leader = "leader", "领导交办", "Assigned by a leader";
    }
}

labelled_enum! {
    /// When a photo was taken relative to the handling.
    EvidenceStage, "evidence stage" {
        /// 处置前: the problem as found.
        Before = "before", "处置前", "Before";
        /// 处置后: the result.
        After = "after", "处置后", "After";
    }
}

labelled_enum! {
    /// Image formats accepted as evidence.
    ImageMime, "image type" {
        /// JPEG.
        Jpeg = "image/jpeg", "JPEG", "JPEG";
        /// WebP.
        Webp = "image/webp", "WebP", "WebP";
        /// PNG.
        Png = "image/png", "PNG", "PNG";
    }
}

/// Who registered the case, where and when: written once at creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Origin {
    /// The registering user.
    pub reporter: UserId,
    /// Their role.
    pub role: Role,
    /// Their device.
    pub device: DeviceId,
    /// The grid the case belongs to.
    pub grid: GridCode,
    /// The device's clock at creation.
    pub created_at: Timestamp,
    /// How it came in.
    pub source: CaseSource,
}

/// Where the problem is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Location {
    /// GPS position.
    pub point: GeoPoint,
    /// Reported accuracy in metres.
    pub accuracy_m: Option<f64>,
    /// Human-readable address, e.g. "和平里北街 12 号院 3 号楼南侧".
    pub address: String,
}

/// A photo attached to the case: a reference by hash, never the bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Evidence {
    /// SHA-256 of the processed image file.
    pub hash: ContentHash,
    /// Its size in bytes.
    pub size: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Its format.
    pub mime: ImageMime,
    /// When the photo was taken (from the camera, kept before metadata is stripped).
    pub captured_at: Option<Timestamp>,
    /// Where it was taken.
    pub captured_place: Option<GeoPoint>,
    /// SHA-256 of the thumbnail, sent before the full image.
    pub thumbnail: Option<ContentHash>,
    /// Before or after handling.
    pub stage: EvidenceStage,
    /// What it shows.
    pub caption: String,
    /// Who attached it.
    pub added_by: UserId,
    /// From which device.
    pub device: DeviceId,
    /// When (device clock).
    pub added_at: Timestamp,
}

/// A comment on the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Comment {
    /// Its id.
    pub id: CommentId,
    /// Who wrote it.
    pub author: UserId,
    /// Their role.
    pub role: Role,
    /// From which device.
    pub device: DeviceId,
    /// When (device clock).
    pub at: Timestamp,
    /// The text.
    pub text: String,
}

/// A link to another case about the same problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct DuplicateLink {
    /// The other case.
    pub case: CaseId,
    /// Who linked them.
    pub linked_by: UserId,
    /// When (device clock).
    pub at: Timestamp,
    /// Why.
    pub note: String,
}

/// One department's working notes for joint handling (联合处置).
#[derive(Debug, Clone, Default, Reconcile, Hydrate)]
pub struct DepartmentSection {
    /// Handling notes, collaborative text.
    pub notes: Text,
    /// The contact person and phone number for this case.
    pub contact: String,
}
