//! The payload of a PostgreSQL notification on the live channel: small JSON, well under
//! PostgreSQL's 8000-byte limit — the sending instance, the cursor, and the moved cases'
//! grids and departments (`{"i":…,"c":…,"s":[["110199001001001",["chengguan"]]]}`). A batch
//! that names more than fits is split over several notifications; a single case too large
//! to name is sent as "everyone" (`"s":null`).

use serde::{Deserialize, Serialize};
use wangge_sync::hub::CaseIndex;
use wangge_sync::wire::Cursor;

use super::signal::FeedMoved;

/// Payloads stay under this many bytes (PostgreSQL refuses 8000 and more).
const MAX_PAYLOAD: usize = 6000;

/// One notification.
#[derive(Debug, Serialize, Deserialize)]
struct Notice {
    /// The sending instance (it has told its own connections already).
    i: u64,
    /// The cursor.
    c: u64,
    /// Grid and departments of each case; `None`: every scope.
    s: Option<Vec<(String, Vec<String>)>>,
}

/// Why a payload was not understood.
#[derive(Debug, thiserror::Error)]
#[error("unreadable live notification: {0}")]
pub struct BadNotice(String);

fn entry(index: &CaseIndex) -> (String, Vec<String>) {
    (
        index.grid.to_string(),
        index.departments.iter().map(ToString::to_string).collect(),
    )
}

fn entry_len(entry: &(String, Vec<String>)) -> usize {
    entry.0.len() + entry.1.iter().map(|d| d.len() + 3).sum::<usize>() + 8
}

fn encode(notice: &Notice) -> String {
    // Plain strings and numbers: serializing cannot fail.
    serde_json::to_string(notice).unwrap_or_default()
}

/// The payloads announcing `moved` from `instance`.
pub fn encode_all(instance: u64, moved: &FeedMoved) -> Vec<String> {
    let cursor = moved.cursor.0;
    let Some(cases) = &moved.cases else {
        return vec![encode(&Notice {
            i: instance,
            c: cursor,
            s: None,
        })];
    };
    let mut payloads = Vec::new();
    let mut batch: Vec<(String, Vec<String>)> = Vec::new();
    let mut size = 64;
    for index in cases {
        let entry = entry(index);
        let len = entry_len(&entry);
        if len + 64 > MAX_PAYLOAD {
            payloads.push(encode(&Notice {
                i: instance,
                c: cursor,
                s: None,
            }));
            continue;
        }
        if size + len > MAX_PAYLOAD {
            payloads.push(encode(&Notice {
                i: instance,
                c: cursor,
                s: Some(std::mem::take(&mut batch)),
            }));
            size = 64;
        }
        size += len;
        batch.push(entry);
    }
    if !batch.is_empty() {
        payloads.push(encode(&Notice {
            i: instance,
            c: cursor,
            s: Some(batch),
        }));
    }
    payloads
}

/// The sending instance and what it announced.
pub fn decode(payload: &str) -> Result<(u64, FeedMoved), BadNotice> {
    let notice: Notice = serde_json::from_str(payload).map_err(|e| BadNotice(e.to_string()))?;
    let cases = match notice.s {
        None => None,
        Some(entries) => Some(
            entries
                .into_iter()
                .map(|(grid, departments)| {
                    Ok(CaseIndex {
                        grid: grid
                            .parse()
                            .map_err(|_| BadNotice(format!("grid {grid}")))?,
                        departments: departments
                            .iter()
                            .map(|d| d.parse().map_err(|_| BadNotice(format!("department {d}"))))
                            .collect::<Result<_, _>>()?,
                    })
                })
                .collect::<Result<Vec<_>, BadNotice>>()?,
        ),
    };
    Ok((
        notice.i,
        FeedMoved {
            cursor: Cursor(notice.c),
            cases,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(n: usize, count: usize) -> CaseIndex {
        const DEPARTMENTS: [&str; 5] = ["chengguan", "huanbao", "zhujian", "shuiwu", "gongdian"];
        CaseIndex {
            grid: format!("110199001001{:03}", n % 999 + 1)
                .parse()
                .unwrap_or_else(|_| panic!("grid {n}")),
            departments: DEPARTMENTS
                .iter()
                .take(count)
                .map(|d| d.parse().unwrap_or_else(|_| panic!("{d}")))
                .collect(),
        }
    }

    #[test]
    fn a_notice_round_trips_and_names_its_sender() {
        let moved = FeedMoved {
            cursor: Cursor(42),
            cases: Some(vec![index(1, 1), index(2, 2)]),
        };
        let payloads = encode_all(9, &moved);
        assert_eq!(payloads.len(), 1);
        assert!(payloads[0].len() < 200, "{}", payloads[0]);
        let (sender, back) = decode(&payloads[0]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sender, 9);
        assert_eq!(back, moved);
    }

    #[test]
    fn a_large_batch_is_split_into_payloads_postgres_accepts() {
        let cases: Vec<CaseIndex> = (0..500).map(|n| index(n, 5)).collect();
        let moved = FeedMoved {
            cursor: Cursor(1),
            cases: Some(cases.clone()),
        };
        let payloads = encode_all(1, &moved);
        assert!(payloads.len() > 1);
        let mut named = Vec::new();
        for payload in &payloads {
            assert!(payload.len() < 8000, "{} bytes", payload.len());
            named.extend(
                decode(payload)
                    .unwrap_or_else(|e| panic!("{e}"))
                    .1
                    .cases
                    .unwrap_or_default(),
            );
        }
        assert_eq!(named, cases);
    }

    #[test]
    fn garbage_is_refused() {
        assert!(decode("not json").is_err());
        assert!(decode(r#"{"i":1,"c":2,"s":[["nogrid",[]]]}"#).is_err());
        let (_, everyone) = decode(r#"{"i":1,"c":2,"s":null}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(everyone.cases, None);
    }
}
