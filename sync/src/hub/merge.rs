//! The validated merge of one uploaded case — pure: stored bytes and the upload in, a
//! verdict, what to store and what to send back out.
//!
//! Fork the stored document (kept loaded in the [`DocCache`] while it is hot) → cut the
//! upload into its changes ([`chunks`]) and apply to the fork those it lacks, refusing
//! orphans → check each change's author (the session's own actor, or a relay signature by
//! the author's device) → check the document is this case and in the author's scope → the
//! server's [`Policy`] → commit. A refusal stores nothing.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{
    ActorId, AutoCommit, AutomergeError, Change, ChangeHash, LoadOptions, OnPartialLoad,
    VerificationMode,
};
use serde_bytes::ByteBuf;
use wangge_proto::case::CaseDocument;
use wangge_proto::values::{CaseId, UserId};
use wangge_proto::workflow::DeadlinePolicy;

use super::cache::{DocCache, Hot, Lookups};
use super::chunks::{self, Chunks, Corrupt};
use super::facts::{Glance, summary_after};
use super::lazy_doc::{LazyDoc, Unusable};
use super::policy::{Authored, Policy, Rejection, UploadCheck};
use super::prior::Prior;
use super::shadow::Shadow;
use super::touched::Touched;
use super::{
    ActorRecord, CaseCommit, CaseFacts, CaseIndex, CaseUpdates, Previous, ReadCase, Session,
    Stored, StoredChange, Summary, summary,
};
use crate::relay;
use crate::wire::{CaseUpload, Outcome, Payload};

/// What the hub knows while merging one request.
pub(crate) struct MergeContext<'a, P> {
    pub session: &'a Session,
    /// Enrolment records of the actors named by relay signatures.
    pub relayed_actors: &'a BTreeMap<ActorId, ActorRecord>,
    pub policy: &'a P,
    pub max_case_bytes: usize,
    /// How long each step may take (deadlines in the commit's facts).
    pub deadlines: &'a DeadlinePolicy,
    /// Hot documents (see [`DocCache`]).
    pub cache: &'a DocCache,
}

/// The result of merging one upload.
pub(crate) struct Merged {
    pub outcome: Outcome,
    /// What the phone lacks afterwards.
    pub reply: Option<Payload>,
    /// The hub's heads afterwards, as the phone will have them once it stores the reply.
    pub heads: Option<Vec<ChangeHash>>,
    /// How many new changes are stored.
    pub stored: usize,
    /// Whether the stored case was found loaded in the cache (a hit) or loaded from its
    /// bytes (a miss); neither for a new case.
    pub lookups: Lookups,
    /// Whether it was judged from the case's shadow.
    pub shadowed: bool,
}

/// A failure of the stored data itself (not the phone's fault).
pub(crate) struct StoredCorrupt(pub String);

impl Merged {
    /// Refused; `stored` is the stored case — its bytes and its heads — if the
    /// uploader may have it back.
    fn rejected(rejection: Rejection, stored: Option<(Vec<u8>, Vec<ChangeHash>)>) -> Self {
        // The phone rebuilds the case from the hub's copy and keeps its refused edits aside.
        let (reply, heads) = match stored {
            Some((bytes, heads)) => (Some(Payload::Document(ByteBuf::from(bytes))), Some(heads)),
            None => (None, None),
        };
        Self {
            outcome: Outcome::Rejected {
                code: rejection.code,
                zh: rejection.zh,
                en: rejection.en,
            },
            reply,
            heads,
            stored: 0,
            lookups: Lookups::default(),
            shadowed: false,
        }
    }

    /// The stored case does not load: nothing is merged, the phone keeps its edits.
    pub(crate) fn held() -> Self {
        Self {
            outcome: Outcome::Held {
                code: "sync.case_unavailable".to_owned(),
                zh: "服务器上该案件的数据暂时无法读取，已通知运维人员。您的修改保留在手机上，稍后同步时会再次上传。".to_owned(),
                en: "The server cannot read its copy of this case right now; an operator has been alerted. Your edits stay on the phone and are sent again in a later sync.".to_owned(),
            },
            reply: None,
            heads: None,
            stored: 0,
            lookups: Lookups::default(),
            shadowed: false,
        }
    }

    pub(crate) fn resend() -> Self {
        Self {
            outcome: Outcome::Resend,
            reply: None,
            heads: None,
            stored: 0,
            lookups: Lookups::default(),
            shadowed: false,
        }
    }
}

/// Why a merge stopped before storing anything.
#[derive(Debug, PartialEq)]
enum Stop {
    /// The hub lacks the base: the phone sends the case whole.
    Resend,
    /// Refused; the hub's copy goes back so the phone can rebuild the case.
    Reject(Rejection),
    /// Refused, and the uploader may not see the case: nothing of it goes back.
    Hide(Rejection),
    /// The hot case's changes kept aside do not apply: the stored case is unusable.
    Unusable(String),
}

impl From<Rejection> for Stop {
    fn from(rejection: Rejection) -> Self {
        Self::Reject(rejection)
    }
}

impl From<Unusable> for Stop {
    fn from(Unusable(detail): Unusable) -> Self {
        Self::Unusable(detail)
    }
}

/// An upload that passed every check.
struct Checked {
    /// The merged document, if the checks built it; else the new changes are kept aside
    /// with the stored case's ([`LazyDoc`]).
    after: Option<CaseDocument>,
    /// The merged case's shadow, if its ops are all ones a shadow follows.
    shadow: Option<Shadow>,
    /// Whether the checks read the shadow (else the document).
    shadowed: bool,
    judged: Judged,
    authored: Vec<Authored>,
    /// What the phone holds once its upload is in: its base and the new changes.
    phone_heads: Vec<ChangeHash>,
    /// The stored heads before the upload.
    before_heads: Vec<ChangeHash>,
}

/// The stored case, loaded (or taken from the cache), and which of the two it was.
struct Before {
    hot: Hot,
    lookups: Lookups,
}

/// The merges of one request's uploads, as [`HubStore::update_batch`](super::HubStore)
/// runs them: a case whose stored heads a hot document has is taken from the cache before
/// the store reads any bytes, and the store reads the bytes of the others only.
pub(crate) struct Merges<'a, P> {
    uploads: &'a [CaseUpload],
    ctx: &'a MergeContext<'a, P>,
    /// The hot documents taken for the uploads, by position in `uploads`.
    held: Vec<Option<Hot>>,
}

impl<'a, P> Merges<'a, P> {
    pub(crate) fn new(uploads: &'a [CaseUpload], ctx: &'a MergeContext<'a, P>) -> Self {
        Self {
            uploads,
            ctx,
            held: std::iter::repeat_with(|| None)
                .take(uploads.len())
                .collect(),
        }
    }
}

impl<P: Policy> CaseUpdates for Merges<'_, P> {
    /// The merge, and the case's index if its commit is to be stored.
    type Output = Result<(Merged, Option<CaseIndex>), StoredCorrupt>;

    fn holds(&mut self, n: usize, heads: &[ChangeHash]) -> bool {
        self.held[n] = self.ctx.cache.take(&self.uploads[n].case, heads);
        self.held[n].is_some()
    }

    fn update(
        &mut self,
        n: usize,
        stored: Option<Stored<'_>>,
    ) -> (Option<CaseCommit>, Self::Output) {
        let held = self.held[n].take();
        match merge(stored, held, &self.uploads[n], self.ctx) {
            Ok((commit, merged)) => {
                let index = commit.as_ref().map(|c| c.index.clone());
                (commit, Ok((merged, index)))
            }
            Err(corrupt) => (None, Err(corrupt)),
        }
    }
}

/// Merges `upload` into the stored case (`held`: taken from the cache for these heads).
fn merge<P: Policy>(
    stored: Option<Stored<'_>>,
    held: Option<Hot>,
    upload: &CaseUpload,
    ctx: &MergeContext<'_, P>,
) -> Result<(Option<CaseCommit>, Merged), StoredCorrupt> {
    let mut before = match stored {
        Some(stored) => Some(before(stored, held)?),
        None => None,
    };
    let lookups = before.as_ref().map_or_else(Lookups::default, |b| b.lookups);
    let checked = check(before.as_mut().map(|b| &mut b.hot), upload, ctx);
    let checked = match checked {
        Ok(checked) => checked,
        Err(stop) => {
            let merged = match stop {
                // Dropped, not put back: the next merge loads the case from its bytes.
                Stop::Unusable(detail) => return Err(StoredCorrupt(detail)),
                Stop::Resend => Merged::resend(),
                Stop::Reject(rejection) => {
                    let hub_copy = match (stored, before.as_mut()) {
                        (Some(stored), Some(before)) => Some(hub_copy(stored, &mut before.hot)?),
                        _ => None,
                    };
                    Merged::rejected(rejection, hub_copy)
                }
                Stop::Hide(rejection) => Merged::rejected(rejection, None),
            };
            let merged = Merged { lookups, ..merged };
            // Nothing was stored: the loaded case is still the stored one.
            if let Some(Before { hot, .. }) = before {
                ctx.cache.put(upload.case, hot);
            }
            return Ok((None, merged));
        }
    };
    let Checked {
        after,
        shadow,
        shadowed,
        judged: Judged {
            index,
            facts,
            glance,
        },
        authored,
        phone_heads,
        before_heads,
    } = checked;
    let mut before = before.map(|b| b.hot);
    let stored_len = before.as_ref().map_or(0, |hot| hot.stored_len);
    let previous = before.as_mut().and_then(|hot| hot.written.take());
    // The merged case: the document the checks built, or the stored one with the new changes
    // kept aside.
    let mut doc = match (after, before.map(|hot| hot.doc)) {
        (Some(after), _) => LazyDoc::new(after),
        (None, stored) => {
            let mut doc = stored.unwrap_or_else(LazyDoc::empty);
            doc.defer(authored.iter().map(|a| a.change.clone()));
            doc
        }
    };
    let heads = doc.heads().to_vec();
    // The phone lacks exactly the stored changes its base does not cover: none when its base
    // names every stored head (the usual case), and then there is nothing to collect.
    let reply = if before_heads.iter().all(|h| phone_heads.contains(h)) {
        None
    } else {
        let lacking = doc
            .changes_after(&phone_heads)
            .map_err(|Unusable(detail)| StoredCorrupt(detail))?;
        (!lacking.is_empty()).then(|| Payload::Changes(ByteBuf::from(lacking)))
    };
    let merged = Merged {
        outcome: Outcome::Accepted,
        reply,
        heads: Some(heads.clone()),
        stored: authored.len(),
        lookups,
        shadowed,
    };
    let hot = |index: CaseIndex, written: Option<Previous>, stored_len: usize| Hot {
        doc,
        shadowless: shadow.is_none(),
        shadow,
        index,
        glance,
        written,
        stored_len,
    };
    if authored.is_empty() {
        if stored.is_some() {
            ctx.cache.put(upload.case, hot(index, previous, stored_len));
        }
        return Ok((None, merged));
    }
    let commit = CaseCommit {
        changes: authored
            .into_iter()
            .map(|a| StoredChange {
                hash: a.change.hash(),
                bytes: a.change.raw_bytes().to_vec(),
            })
            .collect(),
        heads,
        index,
        facts,
        previous,
    };
    // The store keeps the commit's heads with the case: the merged case is valid for as long
    // as the store holds those. If it holds others next time — another instance wrote the
    // case, the commit rolled back — the lookup simply misses.
    let added: usize = commit.changes.iter().map(|c| c.bytes.len()).sum();
    let written = Previous {
        index: commit.index.clone(),
        facts: commit.facts.clone(),
    };
    ctx.cache.put(
        upload.case,
        hot(commit.index.clone(), Some(written), stored_len + added),
    );
    Ok((Some(commit), merged))
}

/// The stored case: `held` if the cache had it, else loaded from its bytes.
fn before(stored: Stored<'_>, held: Option<Hot>) -> Result<Before, StoredCorrupt> {
    if let Some(hot) = held {
        let lookups = Lookups::one(true);
        return Ok(Before { hot, lookups });
    }
    let stored = stored.bytes.ok_or_else(|| {
        StoredCorrupt("the store read no bytes of a case the cache does not hold".into())
    })?;
    let doc = CaseDocument::load(stored).map_err(|e| StoredCorrupt(e.to_string()))?;
    // Which departments were brought in (the index) does not depend on deadlines.
    let Summary { index, glance, .. } =
        summary(&doc, &DeadlinePolicy::default()).map_err(|e| StoredCorrupt(e.to_string()))?;
    Ok(Before {
        hot: Hot {
            doc: LazyDoc::new(doc),
            shadow: None,
            shadowless: false,
            index,
            glance,
            written: None,
            stored_len: stored.len(),
        },
        lookups: Lookups::one(false),
    })
}

/// The hub's copy of the stored case for a refused uploader: the bytes as stored, or, when
/// the cache held the case and none were read, the hot document saved.
fn hub_copy(
    stored: Stored<'_>,
    hot: &mut Hot,
) -> Result<(Vec<u8>, Vec<ChangeHash>), StoredCorrupt> {
    let heads = hot.doc.heads().to_vec();
    let bytes = match stored.bytes {
        Some(bytes) => bytes.to_vec(),
        None => hot
            .doc
            .document()
            .map_err(|Unusable(detail)| StoredCorrupt(detail))?
            .save(),
    };
    Ok((bytes, heads))
}

/// Every check, in order; nothing here writes (but the stored case's shadow is taken: it
/// becomes the merged case's, and the stored case's document may be brought up to date).
fn check<P: Policy>(
    mut before: Option<&mut Hot>,
    upload: &CaseUpload,
    ctx: &MergeContext<'_, P>,
) -> Result<Checked, Stop> {
    if upload.changes.len() > ctx.max_case_bytes {
        return Err(too_large(upload.changes.len(), ctx.max_case_bytes).into());
    }
    // Changes built on heads the hub does not have: it was restored from an older backup, or
    // has never seen the case. Not the phone's fault: it sends the case whole.
    let before_heads = match before.as_deref_mut() {
        Some(hot) => {
            hot.doc.usable()?;
            if !hot.doc.missing(&upload.base).is_empty() {
                return Err(Stop::Resend);
            }
            hot.doc.heads().to_vec()
        }
        None if upload.base.is_empty() => Vec::new(),
        None => return Err(Stop::Resend),
    };
    let (new_changes, whole) = match chunks::changes(&upload.changes) {
        Ok(Chunks::Changes(changes)) => (
            new_in_order(before.as_deref_mut().map(|h| &mut h.doc), changes)?,
            None,
        ),
        Ok(Chunks::NotOnlyChanges) => {
            let stored = match before.as_deref_mut() {
                Some(hot) => Some(hot.doc.document()?.automerge_mut()),
                None => None,
            };
            let mut fork = apply(stored, &upload.changes)?;
            if !fork.get_missing_deps(&[]).is_empty() {
                return Err(orphans().into());
            }
            let new_changes = fork.get_changes(&before_heads);
            (new_changes, Some(fork))
        }
        Err(Corrupt(detail)) => return Err(corrupt(&detail).into()),
    };
    let mut phone_heads = upload.base.clone();
    phone_heads.extend(new_changes.iter().map(|c| c.hash()));
    let authored = new_changes
        .into_iter()
        .map(|change| {
            let author = author_of(&change, upload, ctx)?;
            let decoded = change.decode();
            Ok(Authored {
                change,
                decoded,
                author,
            })
        })
        .collect::<Result<Vec<_>, Rejection>>()?;
    // Judged from the shadow, when one follows every op and every read; else from the
    // document, built for it (an upload holding a whole document has built it already).
    let stepped = shadow_after(before.as_deref_mut(), &authored);
    let from_shadow = match (&stepped, &whole) {
        (Some((shadow, prior)), None) => {
            let view = ReadCase::shadow(shadow);
            let prior_view = prior.as_ref().map(ReadCase::prior);
            let judged = judge(
                before.as_deref(),
                prior_view.as_ref(),
                &view,
                upload,
                &authored,
                ctx,
            );
            let fell_short = view.fell_short() || prior_view.is_some_and(|p| p.fell_short());
            (!fell_short).then_some(judged)
        }
        _ => None,
    };
    let shadow = stepped.map(|(shadow, _)| shadow);
    let (judged, after, shadowed) = match from_shadow {
        Some(judged) => {
            // The shadow judges as the document does (every test merge).
            #[cfg(debug_assertions)]
            same_judgement(
                &judged,
                &judge_copies(before.as_deref_mut(), upload, &authored, ctx),
            );
            (judged?, None, true)
        }
        None => {
            let after = match whole {
                Some(fork) => fork,
                None => {
                    let stored = match before.as_deref_mut() {
                        Some(hot) => Some(hot.doc.document()?.automerge_mut()),
                        None => None,
                    };
                    applied(stored, &authored)?
                }
            };
            let after =
                CaseDocument::from_automerge(after).map_err(|e| not_a_case(&e.to_string()))?;
            let before = before.map(|hot| &*hot);
            let before_view = before.and_then(|hot| hot.doc.current().map(ReadCase::document));
            let view = ReadCase::document(&after);
            let judged = judge(before, before_view.as_ref(), &view, upload, &authored, ctx)?;
            (judged, Some(after), false)
        }
    };
    Ok(Checked {
        after,
        shadow,
        shadowed,
        judged,
        authored,
        phone_heads,
        before_heads,
    })
}

/// The stored case's shadow (taken from it, or built from its document) with the new changes
/// applied, and what the policy asks of the stored case ([`Prior`], for a stored case) —
/// `None` if some op is outside what a shadow follows, or a change names an author (which
/// automerge checks against the document's authors).
fn shadow_after(
    before: Option<&mut Hot>,
    authored: &[Authored],
) -> Option<(Shadow, Option<Prior>)> {
    if authored.iter().any(|a| a.change.author().is_some()) {
        return None;
    }
    let stored = before.is_some();
    let mut shadow = match before {
        Some(hot) if hot.shadowless => return None,
        Some(hot) => match hot.shadow.take() {
            Some(shadow) => shadow,
            None => match hot
                .doc
                .document()
                .map(|doc| Shadow::of(doc.automerge_mut()))
            {
                Ok(Ok(shadow)) => shadow,
                _ => {
                    hot.shadowless = true;
                    return None;
                }
            },
        },
        None => Shadow::new(),
    };
    let prior = stored.then(|| Prior::of(&shadow, authored));
    for change in authored {
        shadow.apply(&change.decoded).ok()?;
    }
    Some((shadow, prior))
}

/// The judgement made from copies of the stored and the merged documents, leaving the hot
/// case as it is: what the shadow's judgement is compared with.
#[cfg(debug_assertions)]
fn judge_copies<P: Policy>(
    before: Option<&mut Hot>,
    upload: &CaseUpload,
    authored: &[Authored],
    ctx: &MergeContext<'_, P>,
) -> Result<Judged, Stop> {
    #![allow(clippy::expect_used)]
    let (before, mut stored) = match before {
        Some(hot) => {
            let stored = hot.doc.fork().expect("the changes kept aside apply");
            (Some(&*hot), Some(stored))
        }
        None => (None, None),
    };
    let after =
        applied(stored.as_mut(), authored).expect("automerge applies what the shadow applied");
    let stored = stored.map(|doc| CaseDocument::from_automerge(doc).expect("a stored case"));
    let after = CaseDocument::from_automerge(after).map_err(|e| not_a_case(&e.to_string()))?;
    let before_view = stored.as_ref().map(ReadCase::document);
    judge(
        before,
        before_view.as_ref(),
        &ReadCase::document(&after),
        upload,
        authored,
        ctx,
    )
}

/// What the merged case gives once it passed every check.
#[derive(Debug)]
struct Judged {
    index: CaseIndex,
    facts: CaseFacts,
    glance: Glance,
}

/// The checks that read the merged case (through `after`, the document or its shadow): what
/// the upload wrote, that it is this case, the facts, scope, the policy.
fn judge<P: Policy>(
    before: Option<&Hot>,
    before_view: Option<&ReadCase<'_>>,
    after: &ReadCase<'_>,
    upload: &CaseUpload,
    authored: &[Authored],
    ctx: &MergeContext<'_, P>,
) -> Result<Judged, Stop> {
    if let Err(error) = after.schema() {
        return Err(not_a_case(&error.to_string()).into());
    }
    let touched = Touched::by(|id| after.path(id), authored.iter().map(|a| &a.decoded));
    match after.id() {
        Ok(id) if id == upload.case => {}
        Ok(id) => return Err(wrong_case(id).into()),
        Err(error) => return Err(not_a_case(&error.to_string()).into()),
    }
    let glance = before.map(|hot| &hot.glance);
    let Summary {
        index,
        facts,
        glance,
    } = summary_after(after, glance, &touched, ctx.deadlines)
        .map_err(|e| not_a_case(&e.to_string()))?;
    #[cfg(debug_assertions)]
    if let Some(case) = after.as_document()
        && let Ok(whole) = summary(case, ctx.deadlines)
    {
        // What was kept from the last read is what a whole read finds (every test merge).
        assert_eq!(
            (&whole.index, &whole.facts),
            (&index, &facts),
            "{touched:?}"
        );
        assert_eq!(whole.events(), glance.events(), "{touched:?}");
    }
    // The uploader must have the case in scope — as it was, or as created — or it would
    // receive a case it may not see; so must every author.
    let scope_index = before.map_or(&index, |hot| &hot.index);
    if !scope_index.in_scope(&ctx.session.scope) {
        return Err(Stop::Hide(out_of_scope(ctx.session.user)));
    }
    if let Some(outsider) = authored
        .iter()
        .find(|a| !scope_index.in_scope(&a.author.scope))
    {
        return Err(out_of_scope(outsider.author.user).into());
    }
    if !authored.is_empty() {
        ctx.policy.check(&UploadCheck {
            session: ctx.session,
            case: upload.case,
            before: before_view,
            stored_events: before.map_or(&[], |hot| hot.glance.events()),
            after,
            after_events: glance.events(),
            changes: authored,
        })?;
    }
    Ok(Judged {
        index,
        facts,
        glance,
    })
}

/// Panics unless two judgements of one upload agree: the verdict, the index, the facts and
/// the events.
#[cfg(debug_assertions)]
fn same_judgement(shadow: &Result<Judged, Stop>, document: &Result<Judged, Stop>) {
    match (shadow, document) {
        (Ok(a), Ok(b)) => {
            assert_eq!((&a.index, &a.facts), (&b.index, &b.facts));
            assert_eq!(a.glance.events(), b.glance.events());
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!(
            "the shadow judges {:?}, the document {:?}",
            a.as_ref().map(|j| &j.facts),
            b.as_ref().map(|j| &j.facts)
        ),
    }
}

/// Those of `changes` the stored case (`None`: a new case) lacks, in causal order — or a
/// refusal if one of them builds on a change that is neither stored nor uploaded.
fn new_in_order(
    mut before: Option<&mut LazyDoc>,
    changes: Vec<Change>,
) -> Result<Vec<Change>, Rejection> {
    let hashes: Vec<ChangeHash> = changes.iter().map(Change::hash).collect();
    let unknown: BTreeSet<ChangeHash> = match before.as_deref_mut() {
        Some(doc) => doc.missing(&hashes).into_iter().collect(),
        None => hashes.iter().copied().collect(),
    };
    let mut pending: Vec<Change> = Vec::with_capacity(unknown.len());
    let mut taken = BTreeSet::new();
    for change in changes {
        if unknown.contains(&change.hash()) && taken.insert(change.hash()) {
            pending.push(change);
        }
    }
    let deps: Vec<ChangeHash> = pending.iter().flat_map(|c| c.deps().to_vec()).collect();
    let lacking: BTreeSet<ChangeHash> = match before {
        Some(doc) => doc.missing(&deps).into_iter().collect(),
        None => deps.into_iter().collect(),
    };
    // Causal order: each change after the uploaded changes it builds on.
    let mut placed = BTreeSet::new();
    let mut ordered = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let (ready, waiting): (Vec<Change>, Vec<Change>) = pending.into_iter().partition(|c| {
            c.deps()
                .iter()
                .all(|d| !lacking.contains(d) || placed.contains(d))
        });
        if ready.is_empty() {
            return Err(orphans());
        }
        placed.extend(ready.iter().map(Change::hash));
        ordered.extend(ready);
        pending = waiting;
    }
    Ok(ordered)
}

/// A copy of the stored document (`None`: a new case) with the new changes applied.
fn applied(
    before: Option<&mut AutoCommit>,
    authored: &[Authored],
) -> Result<AutoCommit, Rejection> {
    let mut fork = match before {
        Some(doc) => doc.fork(),
        None => AutoCommit::new(),
    };
    fork.apply_changes(authored.iter().map(|a| a.change.clone()))
        .map_err(|error| corrupt(&error.to_string()))?;
    Ok(fork)
}

/// The stored document with an upload holding a whole document applied — all of it, or a
/// refusal.
///
/// `load_incremental` silently skips chunks that fail to parse or verify, so the upload is
/// first loaded on its own, strictly. That fails with `MissingDeps` exactly when every chunk
/// parsed and verified but the changes build on others (the stored ones, normally): only
/// then, or if it loads whole, is it applied to a fork of the stored document. Loading the
/// stored case again together with the upload would do the same at the cost of a full load.
fn apply(before: Option<&mut AutoCommit>, changes: &[u8]) -> Result<AutoCommit, Rejection> {
    let strict = LoadOptions::new()
        .on_partial_load(OnPartialLoad::Error)
        .verification_mode(VerificationMode::Check);
    let alone = AutoCommit::load_with_options(changes, strict);
    let Some(before) = before else {
        // A new case: the upload is the whole document.
        return alone.map_err(|error| match error {
            AutomergeError::MissingDeps => orphans(),
            error => corrupt(&error.to_string()),
        });
    };
    match alone {
        Ok(_) | Err(AutomergeError::MissingDeps) => {}
        Err(error) => return Err(corrupt(&error.to_string())),
    }
    let mut fork = before.fork();
    fork.load_incremental(changes)
        .map_err(|error| corrupt(&error.to_string()))?;
    Ok(fork)
}

fn author_of<P>(
    change: &automerge::Change,
    upload: &CaseUpload,
    ctx: &MergeContext<'_, P>,
) -> Result<ActorRecord, Rejection> {
    let actor = change.actor_id();
    if ctx.session.actors.contains(actor) {
        return Ok(ctx.session.record(actor));
    }
    let hash = change.hash();
    let signature = upload
        .relayed
        .iter()
        .find(|s| s.change == hash && s.actor.as_slice() == actor.to_bytes());
    let record = ctx.relayed_actors.get(actor);
    match (signature, record) {
        (Some(signature), Some(record)) => match &record.key {
            Some(key) if relay::verify(key, &upload.case, signature) => Ok(record.clone()),
            _ => Err(Rejection::new(
                "sync.relay_unverified",
                "转交的修改签名无效，已拒绝。",
                "A relayed edit carries an invalid signature and was refused.",
            )),
        },
        _ => Err(Rejection::new(
            "sync.foreign_actor",
            "包含不属于本设备、且无原设备签名的修改，已拒绝。",
            "Contains edits made under another device's identity without that device's signature.",
        )),
    }
}

fn too_large(size: usize, limit: usize) -> Rejection {
    Rejection::new(
        "sync.changes_too_large",
        format!("该案件的修改过大（{size} 字节，上限 {limit}）。"),
        format!("The edits of this case are too large ({size} bytes, limit {limit})."),
    )
}

fn corrupt(detail: &str) -> Rejection {
    Rejection::new(
        "sync.changes_corrupt",
        "修改数据已损坏，无法合并。",
        format!("The edits are corrupt and cannot be merged ({detail})."),
    )
}

fn orphans() -> Rejection {
    Rejection::new(
        "sync.orphan_changes",
        "修改缺少其依赖的先前修改，无法合并。",
        "The edits depend on earlier edits that were not sent.",
    )
}

fn not_a_case(detail: &str) -> Rejection {
    Rejection::new(
        "sync.not_a_case",
        "数据不是有效的案件。",
        format!("The data is not a valid case ({detail})."),
    )
}

fn wrong_case(found: CaseId) -> Rejection {
    Rejection::new(
        "sync.wrong_case",
        "上传的数据属于另一个案件。",
        format!("The uploaded data belongs to another case ({found})."),
    )
}

fn out_of_scope(user: UserId) -> Rejection {
    Rejection::new(
        "case.out_of_scope",
        "该案件不在辖区内，不能修改。",
        format!("This case is outside the scope of user {user}."),
    )
}
