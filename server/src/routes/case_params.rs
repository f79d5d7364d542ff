//! The query string of `GET /api/cases`, parsed once into an [`InboxQuery`]; each bad
//! parameter is refused with its own code, in the caller's language.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use wangge_proto::Locale;
use wangge_proto::workflow::{Status, Tier};

use super::error::ApiError;
use crate::store::{DEFAULT_LIMIT, InboxCursor, InboxQuery, MAX_LIMIT};

/// The parameters `GET /api/cases` takes.
const KNOWN: [&str; 7] = [
    "status", "tier", "category", "grid", "overdue", "after", "limit",
];

fn bad(code: &'static str, locale: Locale, zh: String, en: String) -> ApiError {
    let message = match locale {
        Locale::ZhCn => zh,
        Locale::En => en,
    };
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

/// Parses the query parameters (each given at most once; `status` is a comma-separated list).
pub fn inbox_query(
    params: &BTreeMap<String, String>,
    locale: Locale,
) -> Result<InboxQuery, ApiError> {
    if let Some(unknown) = params.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(bad(
            "cases.unknown_parameter",
            locale,
            format!("不支持的查询参数：{unknown}"),
            format!("Unknown query parameter: {unknown}"),
        ));
    }
    let mut query = InboxQuery::default();
    if let Some(list) = params.get("status") {
        query.statuses = list
            .split(',')
            .map(|s| s.trim().parse::<Status>())
            .collect::<Result<BTreeSet<_>, _>>()
            .map_err(|_| {
                bad(
                    "cases.bad_status",
                    locale,
                    format!("状态无效：{list}（可用：{}）", codes(Status::ALL)),
                    format!("Invalid status: {list} (one of {})", codes(Status::ALL)),
                )
            })?;
    }
    if let Some(tier) = params.get("tier") {
        query.tier = Some(tier.parse::<Tier>().map_err(|_| {
            bad(
                "cases.bad_tier",
                locale,
                format!("分级无效：{tier}（可用：{}）", codes(Tier::ALL)),
                format!("Invalid tier: {tier} (one of {})", codes(Tier::ALL)),
            )
        })?);
    }
    if let Some(category) = params.get("category") {
        query.category = Some(category.parse().map_err(|_| {
            bad(
                "cases.bad_category",
                locale,
                format!("事项类别代码无效：{category}"),
                format!("Invalid category code: {category}"),
            )
        })?);
    }
    if let Some(grid) = params.get("grid") {
        query.grid = Some(grid.parse().map_err(|_| {
            bad(
                "cases.bad_grid",
                locale,
                format!("网格代码无效：{grid}（应为 15 位数字）"),
                format!("Invalid grid code: {grid} (15 digits expected)"),
            )
        })?);
    }
    if let Some(overdue) = params.get("overdue") {
        query.overdue_only = match overdue.as_str() {
            "true" => true,
            "false" => false,
            _ => {
                return Err(bad(
                    "cases.bad_overdue",
                    locale,
                    format!("overdue 只能是 true 或 false，而不是 {overdue}"),
                    format!("overdue must be true or false, not {overdue}"),
                ));
            }
        };
    }
    if let Some(after) = params.get("after") {
        query.after = Some(InboxCursor::decode(after).ok_or_else(|| {
            bad(
                "cases.bad_cursor",
                locale,
                "翻页位置无效，请从第一页重新开始。".into(),
                "Invalid page cursor; start again from the first page.".into(),
            )
        })?);
    }
    query.limit = match params.get("limit") {
        None => DEFAULT_LIMIT,
        Some(limit) => limit
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                bad(
                    "cases.bad_limit",
                    locale,
                    format!("每页条数应为 1 到 {MAX_LIMIT}，而不是 {limit}"),
                    format!("limit must be 1 to {MAX_LIMIT}, not {limit}"),
                )
            })?,
    };
    Ok(query)
}

fn codes<T: std::fmt::Display>(all: &[T]) -> String {
    all.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<InboxQuery, &'static str> {
        let params = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        inbox_query(&params, Locale::ZhCn).map_err(|e| e.code())
    }

    #[test]
    fn every_parameter_parses_and_each_bad_one_has_its_code() {
        let query = parse(&[
            ("status", "reported,accepted"),
            ("tier", "simple"),
            ("grid", "110199001001001"),
            ("overdue", "true"),
            ("limit", "200"),
        ])
        .unwrap();
        assert_eq!(
            query.statuses,
            BTreeSet::from([Status::Reported, Status::Accepted])
        );
        assert_eq!(query.tier, Some(Tier::Simple));
        assert!(query.overdue_only);
        assert_eq!(query.limit, 200);
        assert_eq!(parse(&[]).unwrap().limit, DEFAULT_LIMIT);
        for (pair, code) in [
            (("status", "reported,nope"), "cases.bad_status"),
            (("tier", "hard"), "cases.bad_tier"),
            (("category", "not a code!"), "cases.bad_category"),
            (("grid", "123"), "cases.bad_grid"),
            (("overdue", "yes"), "cases.bad_overdue"),
            (("after", "zz"), "cases.bad_cursor"),
            (("limit", "0"), "cases.bad_limit"),
            (("limit", "201"), "cases.bad_limit"),
            (("sort", "title"), "cases.unknown_parameter"),
        ] {
            assert_eq!(parse(&[pair]).unwrap_err(), code, "{pair:?}");
        }
    }
}
