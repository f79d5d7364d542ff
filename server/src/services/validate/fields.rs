//! Field edits: who may write which top-level part of a case, in which status, and how.
//!
//! The matrix ([`check_field`]) is asked once per change and field, not per op. Around it, two
//! rules about the shape of an edit: a part made with the case (a text, a keyed collection)
//! is edited inside and never replaced whole; and a department handler writes only their own
//! department's section. The creation of a case writes every part and is judged by the
//! creation rules instead ([`check_creation`]).

use wangge_proto::case::{CaseField, Origin};
use wangge_proto::permissions::{check_create, check_field};
use wangge_proto::values::DepartmentCode;
use wangge_proto::workflow::Status;
use wangge_proto::{Role, Scope};
use wangge_sync::hub::{ActorRecord, Rejection};

use super::paths::{Level, Root, Target};
use super::refusals;

/// The fields one change touches, each once.
#[derive(Debug, Default)]
pub struct Touched(Vec<CaseField>);

impl Touched {
    /// The fields, in the order first touched.
    pub fn fields(&self) -> &[CaseField] {
        &self.0
    }

    fn add(&mut self, field: CaseField) {
        if !self.0.contains(&field) {
            self.0.push(field);
        }
    }
}

/// Checks the shape of one op outside `events` by `author`, outside the creation, and notes
/// the field it touches.
pub fn op(target: &Target, author: &ActorRecord, touched: &mut Touched) -> Result<(), Rejection> {
    if target.level == Level::Root && target.root.made_with_case() {
        return Err(refusals::container_replaced(target.root.key()));
    }
    if target.root == Root::Departments && author.role == Role::DepartmentHandler {
        let own = own_department(author);
        let writes_own = match (&target.entry, own) {
            (Some(entry), Some(own)) => &**entry == own.as_str(),
            _ => false,
        };
        if !writes_own {
            let named = target
                .entry
                .as_deref()
                .and_then(|e| e.parse::<DepartmentCode>().ok());
            return Err(match named {
                Some(named) => refusals::wrong_department(&named, own),
                None => refusals::unknown_field(&format!(
                    "departments/{}",
                    target.entry.as_deref().unwrap_or_default()
                )),
            });
        }
    }
    // Every top-level key but `events` (handled apart) is a field.
    if let Some(field) = CaseField::from_root_key(target.root.key()) {
        touched.add(field);
    }
    Ok(())
}

/// Checks the fields a change by `role` touched: each must be editable in `before` (the
/// status the change was made in) or in `after` (the status once the change's own workflow
/// steps are in; `None` when it has none). Either order of "edit, then step" is something the
/// author could have sent as two changes.
pub fn check(
    touched: &Touched,
    role: Role,
    before: Status,
    mut after: impl FnMut() -> Option<Status>,
) -> Result<(), Rejection> {
    for field in touched.fields() {
        if let Err(refusal) = check_field(role, *field, before) {
            let allowed_after = after().is_some_and(|s| check_field(role, *field, s).is_ok());
            if !allowed_after {
                return Err(refusals::forbidden_field(*field, &refusal));
            }
        }
    }
    Ok(())
}

/// The creation rules: the author's role may register cases, and the registration data names
/// the author.
pub fn check_creation(origin: &Origin, author: &ActorRecord) -> Result<(), Rejection> {
    check_create(author.role).map_err(|refusal| refusals::forbidden_create(&refusal))?;
    if (origin.reporter, origin.role, origin.device) != (author.user, author.role, author.device) {
        return Err(refusals::origin_impersonation());
    }
    Ok(())
}

/// The department a department handler works for (from their scope).
pub fn own_department(author: &ActorRecord) -> Option<&DepartmentCode> {
    match &author.scope {
        Scope::Department { department } => Some(department),
        _ => None,
    }
}
