//! The validated merge of one uploaded case — pure: stored bytes and the upload in, a
//! verdict, what to store and what to send back out.
//!
//! Fork the stored document → load the upload into the fork → refuse orphans → take the new
//! changes → check each change's author (the session's own actor, or a relay signature by the
//! author's device) → check the document is this case and in the author's scope → the
//! server's [`Policy`] → commit. A refusal stores nothing.

use std::collections::BTreeMap;

use automerge::{ActorId, AutoCommit, ChangeHash, LoadOptions, OnPartialLoad, VerificationMode};
use serde_bytes::ByteBuf;
use wangge_proto::case::CaseDocument;
use wangge_proto::values::{CaseId, UserId};
use wangge_proto::workflow::DeadlinePolicy;

use super::policy::{Authored, Policy, Rejection, UploadCheck};
use super::{ActorRecord, CaseCommit, CaseFacts, CaseIndex, Session, StoredChange, summarize};
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
}

/// A failure of the stored data itself (not the phone's fault).
pub(crate) struct StoredCorrupt(pub String);

impl Merged {
    fn rejected(rejection: Rejection, stored: Option<&mut CaseDocument>) -> Self {
        // The phone rebuilds the case from the hub's copy and keeps its refused edits aside.
        let (reply, heads) = match stored {
            Some(doc) => (
                Some(Payload::Document(ByteBuf::from(doc.save()))),
                Some(doc.automerge_mut().get_heads()),
            ),
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
        }
    }

    fn resend() -> Self {
        Self {
            outcome: Outcome::Resend,
            reply: None,
            heads: None,
            stored: 0,
        }
    }
}

/// Why a merge stopped before storing anything.
enum Stop {
    /// The hub lacks the base: the phone sends the case whole.
    Resend,
    /// Refused; the hub's copy goes back so the phone can rebuild the case.
    Reject(Rejection),
    /// Refused, and the uploader may not see the case: nothing of it goes back.
    Hide(Rejection),
    /// The stored case itself does not load.
    Corrupt(StoredCorrupt),
}

impl From<Rejection> for Stop {
    fn from(rejection: Rejection) -> Self {
        Self::Reject(rejection)
    }
}

/// An upload that passed every check.
struct Checked {
    after: CaseDocument,
    index: CaseIndex,
    facts: CaseFacts,
    authored: Vec<Authored>,
    /// What the phone holds once its upload is in: its base and the new changes.
    phone_heads: Vec<ChangeHash>,
}

/// Merges `upload` into the stored case.
pub(crate) fn merge<P: Policy>(
    stored: Option<&[u8]>,
    upload: &CaseUpload,
    ctx: &MergeContext<'_, P>,
) -> Result<(Option<CaseCommit>, Merged), StoredCorrupt> {
    let mut before = match stored {
        Some(bytes) => Some(CaseDocument::load(bytes).map_err(|e| StoredCorrupt(e.to_string()))?),
        None => None,
    };
    let checked = match check(stored, before.as_mut(), upload, ctx) {
        Ok(checked) => checked,
        Err(Stop::Resend) => return Ok((None, Merged::resend())),
        Err(Stop::Reject(rejection)) => {
            return Ok((None, Merged::rejected(rejection, before.as_mut())));
        }
        Err(Stop::Hide(rejection)) => return Ok((None, Merged::rejected(rejection, None))),
        Err(Stop::Corrupt(corrupt)) => return Err(corrupt),
    };
    let Checked {
        mut after,
        index,
        facts,
        authored,
        phone_heads,
    } = checked;
    let am = after.automerge_mut();
    let heads = am.get_heads();
    let lacking = am.save_after(&phone_heads);
    let reply = (!lacking.is_empty()).then(|| Payload::Changes(ByteBuf::from(lacking)));
    let merged = Merged {
        outcome: Outcome::Accepted,
        reply,
        heads: Some(heads.clone()),
        stored: authored.len(),
    };
    if authored.is_empty() {
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
    };
    Ok((Some(commit), merged))
}

/// Every check, in order; nothing here writes.
fn check<P: Policy>(
    stored: Option<&[u8]>,
    mut before: Option<&mut CaseDocument>,
    upload: &CaseUpload,
    ctx: &MergeContext<'_, P>,
) -> Result<Checked, Stop> {
    if upload.changes.len() > ctx.max_case_bytes {
        return Err(too_large(upload.changes.len(), ctx.max_case_bytes).into());
    }
    // Changes built on heads the hub does not have: it was restored from an older backup, or
    // has never seen the case. Not the phone's fault: it sends the case whole.
    let before_heads = match before.as_deref_mut() {
        Some(doc) => {
            let am = doc.automerge_mut();
            if !upload
                .base
                .iter()
                .all(|h| am.get_change_by_hash(h).is_some())
            {
                return Err(Stop::Resend);
            }
            am.get_heads()
        }
        None if upload.base.is_empty() => Vec::new(),
        None => return Err(Stop::Resend),
    };
    // `load_incremental` silently skips chunks that fail to parse or verify, so the stored
    // bytes and the upload are loaded together, strictly: all of it, or a refusal.
    let mut combined = stored.map(<[u8]>::to_vec).unwrap_or_default();
    combined.extend_from_slice(&upload.changes);
    let strict = LoadOptions::new()
        .on_partial_load(OnPartialLoad::Error)
        .verification_mode(VerificationMode::Check);
    let mut fork = AutoCommit::load_with_options(&combined, strict).map_err(|error| {
        if has_orphans(before.as_deref_mut(), &upload.changes) {
            orphans()
        } else {
            corrupt(&error.to_string())
        }
    })?;
    if !fork.get_missing_deps(&[]).is_empty() {
        return Err(orphans().into());
    }
    let new_changes = fork.get_changes(&before_heads);
    let mut phone_heads = upload.base.clone();
    phone_heads.extend(new_changes.iter().map(|c| c.hash()));
    let authored = new_changes
        .into_iter()
        .map(|change| {
            let author = author_of(&change, upload, ctx)?;
            Ok(Authored { change, author })
        })
        .collect::<Result<Vec<_>, Rejection>>()?;

    let after = CaseDocument::from_automerge(fork).map_err(|e| not_a_case(&e.to_string()))?;
    match after.id() {
        Ok(id) if id == upload.case => {}
        Ok(id) => return Err(wrong_case(id).into()),
        Err(error) => return Err(not_a_case(&error.to_string()).into()),
    }
    let (index, facts) =
        summarize(&after, ctx.deadlines).map_err(|e| not_a_case(&e.to_string()))?;
    let index_before = before
        .as_deref()
        .map(CaseIndex::of)
        .transpose()
        .map_err(|e| Stop::Corrupt(StoredCorrupt(e.to_string())))?;
    // The uploader must have the case in scope — as it was, or as created — or it would
    // receive a case it may not see; so must every author.
    let scope_index = index_before.as_ref().unwrap_or(&index);
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
            before: before.as_deref(),
            after: &after,
            changes: &authored,
        })?;
    }
    Ok(Checked {
        after,
        index,
        facts,
        authored,
        phone_heads,
    })
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

/// Whether the upload loads leniently but lacks changes it depends on.
fn has_orphans(before: Option<&mut CaseDocument>, changes: &[u8]) -> bool {
    let mut fork = match before {
        Some(doc) => doc.automerge_mut().fork(),
        None => AutoCommit::new(),
    };
    fork.load_incremental(changes).is_ok() && !fork.get_missing_deps(&[]).is_empty()
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
