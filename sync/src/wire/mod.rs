//! The wire format: a small versioned header followed by a zstd-compressed CBOR body.
//!
//! ```text
//! +------+------+---------+------+----------------------------+
//! | 'W'  | 'G'  | version | kind | zstd( CBOR( message ) )    |
//! +------+------+---------+------+----------------------------+
//! ```
//!
//! The version byte sits outside the compressed body so a receiver can refuse a version it
//! does not speak before decoding anything ([`Error::UnsupportedVersion`] names the range it
//! does speak). The kind byte says which message follows ([`Kind`]). CBOR is
//! self-describing, so a field added later is skipped by older readers; ids and hashes travel
//! as byte strings, not text.
//!
//! [`Error::UnsupportedVersion`]: crate::Error::UnsupportedVersion

mod codec;
mod envelope;
mod messages;

pub use envelope::{
    HELD_SINCE, Kind, MAX_VERSION, MIN_VERSION, VERSION, decode, decode_any, decode_versioned,
    encode, encode_as,
};
pub use messages::{
    CaseUpdate, CaseUpload, Cursor, Outcome, Payload, PeerCase, PeerMessage, RelaySignature,
    SyncRequest, SyncResponse, Verdict,
};
