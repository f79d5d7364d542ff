//! Identifiers of cases, workflow events, comments, users and devices.
//!
//! Case, event and comment ids are UUIDv7: they are created offline on phones, must never
//! collide, and sort roughly by creation time, which keeps timelines and indexes in order.
//! User and device ids are any non-nil UUID (they are issued by the server).

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use super::Timestamp;
use crate::Error;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal, v7: $v7:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// Validates a UUID for this id kind.
            pub fn from_uuid(uuid: Uuid) -> Result<Self, Error> {
                if uuid.is_nil() {
                    return Err(Error::invalid($kind, &uuid.to_string(), "must not be nil"));
                }
                if $v7 && uuid.get_version_num() != 7 {
                    return Err(Error::invalid($kind, &uuid.to_string(), "must be a UUIDv7"));
                }
                Ok(Self(uuid))
            }

            /// The underlying UUID.
            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self, Error> {
                // Only the canonical hyphenated lowercase form is accepted, so one id has
                // exactly one spelling (ids are map keys in documents).
                let uuid = Uuid::try_parse(s)
                    .map_err(|_| Error::invalid($kind, s, "not a UUID"))?;
                if uuid.hyphenated().to_string() != s {
                    return Err(Error::invalid($kind, s, "not in canonical lowercase form"));
                }
                Self::from_uuid(uuid)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        super::text_value!($name, $kind);
    };
}

macro_rules! v7_constructors {
    ($name:ident) => {
        impl $name {
            /// A fresh id from the system clock and the OS random source.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// A deterministic id from a time and 10 random bytes (for replayable tests and
            /// for callers that pass their own clock and randomness).
            pub fn from_parts(at: Timestamp, random: [u8; 10]) -> Self {
                let millis = u64::try_from(at.as_millis()).unwrap_or(0);
                Self(uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid())
            }
        }
    };
}

uuid_id!(
    /// A case (案件), created offline on a phone.
    CaseId, "case id", v7: true
);
uuid_id!(
    /// A workflow event inside a case document.
    EventId, "event id", v7: true
);
uuid_id!(
    /// A comment inside a case document.
    CommentId, "comment id", v7: true
);
uuid_id!(
    /// A user account, issued by the server.
    UserId, "user id", v7: false
);
uuid_id!(
    /// An enrolled device (phone or console session), issued by the server.
    DeviceId, "device id", v7: false
);

v7_constructors!(CaseId);
v7_constructors!(EventId);
v7_constructors!(CommentId);

impl UserId {
    /// A random user id (the server issues these).
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }
}

impl DeviceId {
    /// A random device id (the server issues these).
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }
}

impl EventId {
    /// A fixed, valid id used where a step is only tried, never recorded.
    pub(crate) const PLACEHOLDER: EventId =
        EventId(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0000));
}
