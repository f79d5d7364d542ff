//! Validated value types: once parsed, a value of these types cannot be invalid.
//!
//! Each type parses from text (`FromStr`), prints back the same text (`Display`), and is stored
//! in JSON (serde) and in automerge documents (autosurgeon) as that text, so validation runs on
//! every way in: user input, wire messages and documents received from other devices.

mod codes;
mod geo;
mod hash;
mod ids;
mod timestamp;

pub use codes::{CategoryCode, CommunityCode, DepartmentCode, DistrictCode, GridCode, StreetCode};
pub use geo::GeoPoint;
pub use hash::ContentHash;
pub use ids::{CaseId, CommentId, DeviceId, EventId, UserId};
pub use timestamp::Timestamp;

/// Implements serde and autosurgeon for a type that is stored as its `Display` text and parsed
/// back with `FromStr<Err = crate::Error>`.
macro_rules! text_value {
    ($ty:ty, $expected:literal) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl autosurgeon::Reconcile for $ty {
            type Key<'a> = autosurgeon::reconcile::NoKey;

            fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.to_string())
            }
        }

        impl autosurgeon::Hydrate for $ty {
            fn hydrate_string(text: &str) -> Result<Self, autosurgeon::HydrateError> {
                text.parse().map_err(|e: $crate::Error| {
                    autosurgeon::HydrateError::unexpected($expected, e.to_string())
                })
            }
        }
    };
}
pub(crate) use text_value;
