//! Compact serde encodings for ids and hashes: byte strings, not text, and a list of hashes as
//! one byte string. A value that does not validate fails decoding, so a message that decodes
//! holds only valid ids.

use automerge::ChangeHash;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};
use serde_bytes::ByteBuf;
use uuid::Uuid;
use wangge_proto::values::{CaseId, DeviceId};

const HASH_LEN: usize = 32;
const UUID_LEN: usize = 16;

fn uuid_from<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Uuid, D::Error> {
    let bytes = ByteBuf::deserialize(deserializer)?;
    let array: [u8; UUID_LEN] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| D::Error::custom(format!("an id is {UUID_LEN} bytes, got {}", bytes.len())))?;
    Ok(Uuid::from_bytes(array))
}

/// A [`CaseId`] as 16 bytes.
pub mod case_id {
    use super::*;

    /// Serializes.
    pub fn serialize<S: Serializer>(id: &CaseId, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(id.as_uuid().as_bytes())
    }

    /// Deserializes, validating.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<CaseId, D::Error> {
        CaseId::from_uuid(uuid_from(deserializer)?).map_err(D::Error::custom)
    }
}

/// A [`DeviceId`] as 16 bytes.
pub mod device_id {
    use super::*;

    /// Serializes.
    pub fn serialize<S: Serializer>(id: &DeviceId, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(id.as_uuid().as_bytes())
    }

    /// Deserializes, validating.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DeviceId, D::Error> {
        DeviceId::from_uuid(uuid_from(deserializer)?).map_err(D::Error::custom)
    }
}

/// A list of [`CaseId`]s as one byte string of 16-byte ids.
pub mod case_ids {
    use super::*;

    /// Serializes.
    pub fn serialize<S: Serializer>(ids: &[CaseId], serializer: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = ids.iter().flat_map(|id| *id.as_uuid().as_bytes()).collect();
        serializer.serialize_bytes(&bytes)
    }

    /// Deserializes, validating each id.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<CaseId>, D::Error> {
        let bytes = ByteBuf::deserialize(deserializer)?;
        if bytes.len() % UUID_LEN != 0 {
            return Err(D::Error::custom(
                "a list of ids must be a multiple of 16 bytes",
            ));
        }
        bytes
            .chunks_exact(UUID_LEN)
            .map(|chunk| {
                let mut array = [0; UUID_LEN];
                array.copy_from_slice(chunk);
                CaseId::from_uuid(Uuid::from_bytes(array)).map_err(D::Error::custom)
            })
            .collect()
    }
}

/// A list of change hashes as one byte string of 32-byte hashes.
pub mod hashes {
    use super::*;

    /// Serializes.
    pub fn serialize<S: Serializer>(
        hashes: &[ChangeHash],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.0).collect();
        serializer.serialize_bytes(&bytes)
    }

    /// Deserializes.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<ChangeHash>, D::Error> {
        let bytes = ByteBuf::deserialize(deserializer)?;
        if bytes.len() % HASH_LEN != 0 {
            return Err(D::Error::custom(
                "a list of hashes must be a multiple of 32 bytes",
            ));
        }
        Ok(bytes
            .chunks_exact(HASH_LEN)
            .map(|chunk| {
                let mut array = [0; HASH_LEN];
                array.copy_from_slice(chunk);
                ChangeHash(array)
            })
            .collect())
    }
}

/// One change hash as 32 bytes.
pub mod hash {
    use super::*;

    /// Serializes.
    pub fn serialize<S: Serializer>(hash: &ChangeHash, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&hash.0)
    }

    /// Deserializes.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ChangeHash, D::Error> {
        let bytes = ByteBuf::deserialize(deserializer)?;
        let array: [u8; HASH_LEN] = bytes.as_slice().try_into().map_err(|_| {
            D::Error::custom(format!("a hash is {HASH_LEN} bytes, got {}", bytes.len()))
        })?;
        Ok(ChangeHash(array))
    }
}
