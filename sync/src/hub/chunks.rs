//! An upload cut into its automerge change chunks, each parsed and checked once.
//!
//! A phone uploads `save_after(base)`: change chunks end to end. Reading them one by one
//! gives the merge the changes themselves — their hashes, deps, actors and raw bytes — so it
//! can tell the new ones from those the hub holds and apply exactly those, instead of loading
//! the upload as a document of its own (to check it strictly) and then asking the merged
//! document which changes are new (which rebuilds each change from the op set).
//!
//! Only the chunk header is read here (the layout of automerge's binary format: magic bytes,
//! checksum, chunk type, LEB128 length); `automerge::Change` parses and verifies each chunk.
//! An upload holding a whole document (a phone sending the case whole) is not cut: the caller
//! loads it as before.

use automerge::Change;

/// The first four bytes of every automerge chunk.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// Magic bytes, checksum, chunk type.
const FIXED_HEADER: usize = 9;
const DOCUMENT: u8 = 0;
const CHANGE: u8 = 1;
const COMPRESSED_CHANGE: u8 = 2;

/// What an upload holds.
#[derive(Debug)]
pub(crate) enum Chunks {
    /// Change chunks only: the changes, in upload order.
    Changes(Vec<Change>),
    /// At least one chunk that is not a change (a whole document): load it as a document.
    NotOnlyChanges,
}

/// Why an upload cannot be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Corrupt(pub String);

/// Cuts `bytes` into change chunks and parses each.
pub(crate) fn changes(bytes: &[u8]) -> Result<Chunks, Corrupt> {
    let mut changes = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (kind, len) = header(rest)?;
        let (chunk, after) = rest.split_at(len);
        match kind {
            CHANGE | COMPRESSED_CHANGE => changes.push(change(chunk)?),
            DOCUMENT => return Ok(Chunks::NotOnlyChanges),
            other => return Err(Corrupt(format!("unknown chunk type {other}"))),
        }
        rest = after;
    }
    Ok(Chunks::Changes(changes))
}

/// The chunk type and the whole chunk's length, header included.
fn header(bytes: &[u8]) -> Result<(u8, usize), Corrupt> {
    if bytes.len() < FIXED_HEADER || bytes[..4] != MAGIC {
        return Err(Corrupt("not an automerge chunk".into()));
    }
    let kind = bytes[8];
    let (data_len, len_bytes) = uleb128(&bytes[FIXED_HEADER..])?;
    let len = usize::try_from(data_len)
        .ok()
        .and_then(|n| n.checked_add(FIXED_HEADER + len_bytes))
        .filter(|&n| n <= bytes.len())
        .ok_or_else(|| Corrupt("a chunk is cut short".into()))?;
    Ok((kind, len))
}

/// A LEB128 unsigned integer and how many bytes it took.
fn uleb128(bytes: &[u8]) -> Result<(u64, usize), Corrupt> {
    let mut value = 0u64;
    for (i, byte) in bytes.iter().enumerate().take(10) {
        let low = u64::from(byte & 0x7f);
        let shift = 7 * i as u32;
        if shift == 63 && low > 1 {
            break;
        }
        value |= low << shift;
        if byte & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    Err(Corrupt("a chunk length is malformed".into()))
}

/// One change chunk, parsed, its ops checked, its checksum compared with its hash (what
/// `VerificationMode::Check` does when loading).
fn change(chunk: &[u8]) -> Result<Change, Corrupt> {
    let change = Change::try_from(chunk).map_err(|e| Corrupt(e.to_string()))?;
    if chunk[4..8] != change.hash().0[..4] {
        return Err(Corrupt(format!(
            "the checksum of change {} does not match",
            change.hash()
        )));
    }
    Ok(change)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::{AutoCommit, ROOT, transaction::Transactable};

    use super::*;

    fn doc_with_edits(n: usize) -> AutoCommit {
        let mut doc = AutoCommit::new();
        for i in 0..n {
            doc.put(ROOT, format!("k{i}"), i as i64).unwrap();
            doc.commit();
        }
        doc
    }

    #[test]
    fn cuts_saved_changes_into_the_changes() {
        let mut doc = doc_with_edits(3);
        let bytes = doc.save_after(&[]);
        let Chunks::Changes(cut) = changes(&bytes).unwrap() else {
            panic!("a document chunk")
        };
        let hashes: Vec<_> = cut.iter().map(Change::hash).collect();
        let expected: Vec<_> = doc.get_changes(&[]).iter().map(|c| c.hash()).collect();
        assert_eq!(hashes, expected);
        assert!(matches!(changes(&[]).unwrap(), Chunks::Changes(c) if c.is_empty()));
    }

    #[test]
    fn a_whole_document_is_left_to_load() {
        let mut doc = doc_with_edits(2);
        assert!(matches!(
            changes(&doc.save()).unwrap(),
            Chunks::NotOnlyChanges
        ));
    }

    #[test]
    fn damage_is_corrupt() {
        let mut doc = doc_with_edits(2);
        let bytes = doc.save_after(&[]);
        // Cut short, garbage after, a flipped checksum byte, a flipped data byte, not a chunk.
        assert!(changes(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(changes(&longer).is_err());
        let mut checksum = bytes.clone();
        checksum[5] ^= 1;
        assert!(changes(&checksum).is_err());
        let mut data = bytes.clone();
        let last = data.len() - 1;
        data[last] ^= 0xff;
        assert!(changes(&data).is_err());
        assert!(changes(b"not automerge at all").is_err());
        let mut huge = MAGIC.to_vec();
        huge.extend([0, 0, 0, 0, CHANGE, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert_eq!(
            changes(&huge).unwrap_err(),
            Corrupt("a chunk is cut short".into())
        );
    }
}
