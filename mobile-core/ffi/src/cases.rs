//! The case methods of [`Phone`]: register, edit, take steps, comment, link, list, read.
//!
//! Each is one store transaction, checked on the phone with the rules the server enforces;
//! a refusal is `NotAllowed` with the reason and writes nothing.

use wangge_proto::Label;

use crate::WanggeError;
use crate::input::{CaseAction, CaseEdit, ListFilter, NewCase, parse};
use crate::phone::{Phone, case_id};
use crate::views::{CaseDetail, CaseSummary, Category};

#[uniffi::export]
impl Phone {
    /// Registers a new case (a draft until reported) in one of the user's grids; returns its id.
    pub fn create_case(&self, case: NewCase) -> Result<String, WanggeError> {
        let input = case.into_core()?;
        let id = self
            .store()
            .create_case(input)
            .map_err(|e| self.store_error(&e))?;
        Ok(id.to_string())
    }

    /// Edits one field of a case.
    pub fn edit_case(&self, case_id_text: String, edit: CaseEdit) -> Result<(), WanggeError> {
        let case = case_id(&case_id_text)?;
        let edit = edit.into_core()?;
        self.store()
            .edit_field(&case, edit)
            .map_err(|e| self.store_error(&e))
    }

    /// Takes a workflow step; returns the event id.
    pub fn act(&self, case_id_text: String, action: CaseAction) -> Result<String, WanggeError> {
        let case = case_id(&case_id_text)?;
        let action = action.into_core()?;
        let event = self
            .store()
            .act(&case, action)
            .map_err(|e| self.store_error(&e))?;
        Ok(event.to_string())
    }

    /// Adds a comment; returns its id.
    pub fn comment(&self, case_id_text: String, text: String) -> Result<String, WanggeError> {
        let case = case_id(&case_id_text)?;
        let id = self
            .store()
            .comment(&case, &text)
            .map_err(|e| self.store_error(&e))?;
        Ok(id.to_string())
    }

    /// Marks the edits of a case the server refused as seen by the user (after the app has
    /// shown them): they leave the case's `refused_edits`, and stay on the phone. Returns how
    /// many were marked.
    pub fn mark_refusals_seen(&self, case_id_text: String) -> Result<u32, WanggeError> {
        let case = case_id(&case_id_text)?;
        let marked = self
            .store()
            .mark_refusals_seen(&case)
            .map_err(|e| self.store_error(&e))?;
        Ok(u32::try_from(marked).unwrap_or(u32::MAX))
    }

    /// Links a case to another about the same problem.
    pub fn link_duplicate(
        &self,
        case_id_text: String,
        other_case_id: String,
        note: String,
    ) -> Result<(), WanggeError> {
        let case = case_id(&case_id_text)?;
        let other = case_id(&other_case_id)?;
        self.store()
            .link_duplicate(&case, &other, &note)
            .map_err(|e| self.store_error(&e))
    }

    /// Writes the user's department's notes and contact on a case it handles.
    pub fn set_department_notes(
        &self,
        case_id_text: String,
        department: String,
        notes: String,
        contact: String,
    ) -> Result<(), WanggeError> {
        let case = case_id(&case_id_text)?;
        let department = parse("department", &department)?;
        self.store()
            .set_department_notes(&case, &department, &notes, &contact)
            .map_err(|e| self.store_error(&e))
    }

    /// Lists cases, most recently changed first.
    pub fn list_cases(&self, filter: ListFilter) -> Result<Vec<CaseSummary>, WanggeError> {
        let filter = filter.into_core()?;
        let store = self.store();
        let lines = store.list(&filter).map_err(|e| self.store_error(&e))?;
        Ok(lines
            .iter()
            .map(|line| CaseSummary::new(line, store.catalogue(), self.locale))
            .collect())
    }

    /// One case whole, or none if it is not on the phone.
    pub fn case_detail(&self, case_id_text: String) -> Result<Option<CaseDetail>, WanggeError> {
        let case = case_id(&case_id_text)?;
        let store = self.store();
        let detail = store.detail(&case).map_err(|e| self.store_error(&e))?;
        Ok(detail.map(|d| CaseDetail::new(&d, store.catalogue(), self.locale)))
    }

    /// The catalogue cases are registered from.
    pub fn categories(&self) -> Vec<Category> {
        self.store()
            .catalogue()
            .items()
            .iter()
            .map(|item| Category {
                code: item.code.to_string(),
                name: item.name(self.locale).to_owned(),
                group: item.group(self.locale).to_owned(),
                default_tier: item.default_tier.as_str().to_owned(),
            })
            .collect()
    }

    /// The label of a status, action, tier or role code, in the phone's locale (for codes an
    /// app stored itself); the code itself when unknown.
    pub fn label(&self, code: String) -> String {
        use wangge_proto::Role;
        use wangge_proto::workflow::{ActionKind, Status, Tier};
        let locale = self.locale;
        code.parse::<Status>()
            .map(|v| v.label(locale))
            .or_else(|_| code.parse::<ActionKind>().map(|v| v.label(locale)))
            .or_else(|_| code.parse::<Tier>().map(|v| v.label(locale)))
            .or_else(|_| code.parse::<Role>().map(|v| v.label(locale)))
            .map(str::to_owned)
            .unwrap_or(code)
    }
}
