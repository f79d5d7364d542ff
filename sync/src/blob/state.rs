//! The byte format of saved transfer state, so a transfer survives an app restart.
//!
//! [`super::Upload::encode`] and [`super::Download::encode`] write a small fixed layout behind
//! a 4-byte tag that names the kind and version; decoding checks every field and never panics
//! (the bytes come from the phone's disk and may be damaged).

use wangge_proto::values::ContentHash;

/// Saved state could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// The bytes do not start with the expected tag (another kind, or a newer version).
    #[error("not a saved {expected} state")]
    WrongTag {
        /// The kind of state expected.
        expected: &'static str,
    },
    /// The bytes end early, are too long, or hold an impossible value.
    #[error("damaged saved state: {0}")]
    Damaged(&'static str),
}

/// Reads fields in order from saved bytes.
pub(crate) struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// Starts reading after checking the tag.
    pub(crate) fn new(
        bytes: &'a [u8],
        tag: &[u8; 4],
        expected: &'static str,
    ) -> Result<Self, StateError> {
        match bytes.strip_prefix(tag.as_slice()) {
            Some(rest) => Ok(Self(rest)),
            None => Err(StateError::WrongTag { expected }),
        }
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], StateError> {
        let (head, rest) = self
            .0
            .split_first_chunk::<N>()
            .ok_or(StateError::Damaged("ends early"))?;
        self.0 = rest;
        Ok(*head)
    }

    pub(crate) fn hash(&mut self) -> Result<ContentHash, StateError> {
        self.take::<32>().map(ContentHash::from_bytes)
    }

    pub(crate) fn u64(&mut self) -> Result<u64, StateError> {
        self.take::<8>().map(u64::from_be_bytes)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, StateError> {
        self.take::<1>().map(|[b]| b)
    }

    /// Everything left.
    pub(crate) fn rest(self) -> &'a [u8] {
        self.0
    }

    /// Checks nothing is left.
    pub(crate) fn finish(self) -> Result<(), StateError> {
        match self.0 {
            [] => Ok(()),
            _ => Err(StateError::Damaged("trailing bytes")),
        }
    }
}
