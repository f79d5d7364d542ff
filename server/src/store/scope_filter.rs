//! A [`Scope`] as a SQL condition on the `cases` table, shared by the feed, the inbox and the
//! blob read rule so that all three answer "which cases may this user see" the same way as
//! [`Scope::covers`].

use wangge_proto::Scope;

use super::params::Params;

/// The condition selecting the cases `scope` covers, on `cases` columns qualified by
/// `table` (e.g. `"c."`, or `""`); `None` when the scope covers no case at all.
pub(crate) fn scope_filter(scope: &Scope, table: &str, params: &mut Params) -> Option<String> {
    Some(match scope {
        Scope::Grids { grids } if grids.is_empty() => return None,
        Scope::Grids { grids } => {
            let list: Vec<String> = grids.iter().map(|g| params.text(g.as_str())).collect();
            format!("{table}grid IN ({})", list.join(", "))
        }
        Scope::Community { community } => {
            format!("{table}community = {}", params.text(community.to_string()))
        }
        Scope::Street { street } => format!("{table}street = {}", params.text(street.to_string())),
        Scope::Department { department } => format!(
            "{table}id IN (SELECT case_id FROM case_departments WHERE department = {})",
            params.text(department.as_str())
        ),
        Scope::Everything => "TRUE".into(),
    })
}
