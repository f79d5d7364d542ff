//! Points in time, as milliseconds since the Unix epoch (UTC).
//!
//! Phone clocks are wrong often enough that a timestamp written by a phone is only a claim
//! (`client time`); deadlines are anchored on the server's clock. The accepted range keeps
//! absurd values (1970, year 3000) out of documents.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// Milliseconds since 1970-01-01T00:00:00Z, between 2000-01-01 and 2200-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(i64);

impl Timestamp {
    /// 2000-01-01T00:00:00Z.
    pub const MIN: i64 = 946_684_800_000;
    /// 2200-01-01T00:00:00Z (exclusive).
    pub const MAX: i64 = 7_258_118_400_000;

    /// Validates milliseconds since the epoch.
    pub fn from_millis(millis: i64) -> Result<Self, Error> {
        if !(Self::MIN..Self::MAX).contains(&millis) {
            return Err(Error::invalid(
                "timestamp",
                &millis.to_string(),
                "must be between 2000-01-01 and 2200-01-01",
            ));
        }
        Ok(Self(millis))
    }

    /// Milliseconds since the epoch.
    pub fn as_millis(&self) -> i64 {
        self.0
    }

    /// The current time of this machine's clock.
    pub fn now() -> Self {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(Self::MAX - 1))
            .unwrap_or(Self::MIN);
        Self(millis.clamp(Self::MIN, Self::MAX - 1))
    }

    /// This time plus a number of seconds (saturating at the accepted range).
    pub fn plus_secs(&self, secs: u64) -> Self {
        let millis = i64::try_from(secs)
            .unwrap_or(i64::MAX)
            .saturating_mul(1000)
            .saturating_add(self.0);
        Self(millis.clamp(Self::MIN, Self::MAX - 1))
    }
}

impl FromStr for Timestamp {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let millis = s
            .parse::<i64>()
            .map_err(|_| Error::invalid("timestamp", s, "not an integer"))?;
        Self::from_millis(millis)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::from_millis(i64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl autosurgeon::Reconcile for Timestamp {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.timestamp(self.0)
    }
}

impl autosurgeon::Hydrate for Timestamp {
    fn hydrate_timestamp(millis: i64) -> Result<Self, autosurgeon::HydrateError> {
        Self::from_millis(millis)
            .map_err(|e| autosurgeon::HydrateError::unexpected("a timestamp", e.to_string()))
    }
}
