//! Single facts of a case read without the rest of it, for a server's query tables.
//!
//! [`CaseParts::read`] validates everything, comments included, in time proportional to
//! the case. An index written on every commit needs only a few top-level values and the
//! photo hashes; these read exactly those, with the same types `read` uses.

use automerge::{ROOT, Value};
use autosurgeon::{Text, hydrate_prop};

use super::{CaseParts, CaseReader};
use crate::Error;
use crate::case::layout::Origin;
use crate::values::{CaseId, CategoryCode, ContentHash};

impl<R: CaseReader> CaseParts<R> {
    /// The layout version, checked to be one this build reads (see
    /// [`CaseDocument::layout_version`](super::super::CaseDocument::layout_version)).
    pub fn schema(&self) -> Result<u64, Error> {
        super::super::CaseDocument::layout_version(&self.reader)
    }

    /// The case id, read alone.
    pub fn id(&self) -> Result<CaseId, Error> {
        Ok(hydrate_prop(&self.reader, ROOT, "id")?)
    }

    /// Who registered the case, where, when — read alone.
    pub fn origin(&self) -> Result<Origin, Error> {
        Ok(hydrate_prop(&self.reader, ROOT, "origin")?)
    }

    /// The title, read alone.
    pub fn title(&self) -> Result<String, Error> {
        let text: Text = hydrate_prop(&self.reader, ROOT, "title")?;
        Ok(text.as_str().to_owned())
    }

    /// The catalogue item, read alone.
    pub fn category(&self) -> Result<CategoryCode, Error> {
        Ok(hydrate_prop(&self.reader, ROOT, "category")?)
    }

    /// Every photo hash the case references: each evidence entry's own hash (its key) and its
    /// thumbnail's, if any. Entries whose key is not a hash are skipped (`read` reports them
    /// as problems); so are thumbnails that are not hashes.
    pub fn evidence_hashes(&self) -> Result<Vec<ContentHash>, Error> {
        let evidence = self.container("evidence")?;
        let mut hashes = Vec::new();
        for key in self.reader.keys_of(&evidence) {
            let Ok(hash) = key.parse::<ContentHash>() else {
                continue;
            };
            hashes.push(hash);
            let Some((Value::Object(_), entry)) = self.reader.get(&evidence, key.as_str())? else {
                continue;
            };
            if let Ok(Some(thumbnail)) =
                hydrate_prop::<_, Option<ContentHash>, _, _>(&self.reader, &entry, "thumbnail")
            {
                hashes.push(thumbnail);
            }
        }
        hashes.sort();
        hashes.dedup();
        Ok(hashes)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::ActorId;

    use crate::case::{
        CaseDocument, CaseSource, Evidence, EvidenceStage, ImageMime, NewCase, Origin,
    };
    use crate::role::Role;
    use crate::values::{CaseId, ContentHash, DeviceId, Timestamp, UserId};

    #[test]
    fn glances_match_the_full_read() {
        let at = Timestamp::from_millis(1_793_520_000_000).unwrap();
        let user = UserId::generate();
        let device = DeviceId::generate();
        let new = NewCase {
            id: CaseId::from_parts(at, [2; 10]),
            origin: Origin {
                reporter: user,
                role: Role::GridWorker,
                device,
                grid: "110105001001001".parse().unwrap(),
                created_at: at,
                source: CaseSource::Patrol,
            },
            category: "SR-01".parse().unwrap(),
            title: "井盖缺失".into(),
            description: "路口东侧".into(),
            location: None,
        };
        let mut case = CaseDocument::create(&new, ActorId::from(&[2; 16][..])).unwrap();
        let photo = |bytes: &[u8], thumbnail: Option<ContentHash>| Evidence {
            hash: ContentHash::of(bytes),
            size: 10,
            width: 4,
            height: 3,
            mime: ImageMime::Jpeg,
            captured_at: None,
            captured_place: None,
            thumbnail,
            stage: EvidenceStage::Before,
            caption: String::new(),
            added_by: user,
            device,
            added_at: at,
        };
        let thumb = ContentHash::of(b"thumb");
        case.add_evidence(&photo(b"main", Some(thumb))).unwrap();
        case.add_evidence(&photo(b"second", None)).unwrap();
        case.set_title("井盖缺失，已设围挡").unwrap();
        let view = case.read().unwrap();
        assert_eq!(case.title().unwrap(), view.title);
        assert_eq!(case.category().unwrap(), view.category);
        let mut expected = vec![ContentHash::of(b"main"), thumb, ContentHash::of(b"second")];
        expected.sort();
        assert_eq!(case.evidence_hashes().unwrap(), expected);
    }
}
