//! The editable parts of a case document, as the permission matrix names them.

use crate::locale::labelled_enum;

labelled_enum! {
    /// A top-level part of the case document that someone may edit.
    ///
    /// Workflow events are not a field: appending one is governed by the action rules.
    CaseField, "case field" {
        /// `schema`, `id` and `origin`: written when the case is created, never changed.
        Origin = "origin", "登记信息", "registration data";
        /// `category`: the catalogue item.
        Category = "category", "事项类别", "category";
        /// `title`.
        Title = "title", "标题", "title";
        /// `description`.
        Description = "description", "描述", "description";
        /// `location`.
        Location = "location", "位置", "location";
        /// `evidence`: photo references.
        Evidence = "evidence", "图片证据", "photo evidence";
        /// `comments`.
        Comments = "comments", "留言", "comments";
        /// `duplicates`: links to cases about the same problem.
        Duplicates = "duplicates", "重复关联", "duplicate links";
        /// `departments`: per-department sections for joint handling.
        Departments = "departments", "部门处置记录", "department sections";
    }
}

impl CaseField {
    /// The field a top-level document key belongs to; `None` for `events` (governed by the
    /// action rules) and for keys that are not part of the layout.
    pub fn from_root_key(key: &str) -> Option<CaseField> {
        match key {
            "schema" | "id" | "origin" => Some(CaseField::Origin),
            "events" => None,
            other => other.parse().ok().filter(|f| *f != CaseField::Origin),
        }
    }
}
