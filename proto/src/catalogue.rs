//! The comprehensive item catalogue (综合性事项清单): what a case can be about, its default tier,
//! the department normally responsible and the time allowed.
//!
//! Offices keep their catalogue in a spreadsheet, so the file format is CSV (UTF-8, `#`
//! comments, a fixed header). A default with 50 items ships with the crate
//! ([`Catalogue::shipped`]); an operator replaces it with their own file. Every problem is
//! reported with the line it is on.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::locale::Locale;
use crate::org::Department;
use crate::values::{CategoryCode, DepartmentCode};
use crate::workflow::{DeadlinePolicy, Tier};

const ITEM_HEADER: [&str; 8] = [
    "code",
    "group_zh",
    "group_en",
    "name_zh",
    "name_en",
    "default_tier",
    "department",
    "time_limit_hours",
];
const DEPARTMENT_HEADER: [&str; 3] = ["code", "name_zh", "name_en"];

const SHIPPED_ITEMS: &str = include_str!("../catalogue/items.csv");
const SHIPPED_DEPARTMENTS: &str = include_str!("../catalogue/departments.csv");

/// One item of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueItem {
    /// Stable code, e.g. `SR-01`.
    pub code: CategoryCode,
    /// Group name in Chinese, e.g. "市容环境".
    pub group_zh: String,
    /// Group name in English.
    pub group_en: String,
    /// Item name in Chinese, e.g. "暴露垃圾".
    pub name_zh: String,
    /// Item name in English.
    pub name_en: String,
    /// The tier a case of this item starts with.
    pub default_tier: Tier,
    /// The department normally responsible; `None` when the community handles it.
    pub department: Option<DepartmentCode>,
    /// Hours allowed to finish handling; `None` for the tier's default.
    pub time_limit_hours: Option<u32>,
    /// The line of the file the item was read from.
    pub line: u64,
}

impl CatalogueItem {
    /// The item's name in a locale.
    pub fn name(&self, locale: Locale) -> &str {
        locale.pick(&self.name_zh, &self.name_en)
    }

    /// The item's group in a locale.
    pub fn group(&self, locale: Locale) -> &str {
        locale.pick(&self.group_zh, &self.group_en)
    }

    /// The deadline policy for cases of this item: `base`, with this item's own time limit.
    pub fn deadline_policy(&self, base: &DeadlinePolicy) -> DeadlinePolicy {
        DeadlinePolicy {
            item_limit_secs: self.time_limit_hours.map(|h| u64::from(h) * 3600),
            ..base.clone()
        }
    }
}

/// A validated catalogue: unique codes, valid tiers and department codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    items: Vec<CatalogueItem>,
}

impl Catalogue {
    /// Parses and validates a catalogue file.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let mut items: Vec<CatalogueItem> = Vec::new();
        let mut codes = BTreeSet::new();
        for (line, fields) in records(text, &ITEM_HEADER)? {
            let at = |message: String| Error::Catalogue { line, message };
            let code: CategoryCode = fields[0].parse().map_err(|e: Error| at(e.to_string()))?;
            for (i, name) in [
                (1, "group_zh"),
                (2, "group_en"),
                (3, "name_zh"),
                (4, "name_en"),
            ] {
                if fields[i].is_empty() {
                    return Err(at(format!("{name} is empty")));
                }
            }
            let default_tier: Tier = fields[5].parse().map_err(|_| {
                at(format!(
                    "default_tier {:?} is not one of simple, general, complex, major",
                    fields[5]
                ))
            })?;
            let department = match fields[6].as_str() {
                "" => None,
                code => Some(code.parse().map_err(|e: Error| at(e.to_string()))?),
            };
            let time_limit_hours = match fields[7].as_str() {
                "" => None,
                hours => match hours.parse::<u32>() {
                    Ok(h) if (1..=24 * 365).contains(&h) => Some(h),
                    _ => {
                        return Err(at(format!(
                            "time_limit_hours {hours:?} must be a whole number of hours from 1 to 8760, or empty"
                        )));
                    }
                },
            };
            if !codes.insert(code.clone()) {
                return Err(at(format!("code {code} appears twice")));
            }
            items.push(CatalogueItem {
                code,
                group_zh: fields[1].clone(),
                group_en: fields[2].clone(),
                name_zh: fields[3].clone(),
                name_en: fields[4].clone(),
                default_tier,
                department,
                time_limit_hours,
                line,
            });
        }
        if items.is_empty() {
            return Err(Error::Catalogue {
                line: 1,
                message: "the catalogue has no items".into(),
            });
        }
        Ok(Self { items })
    }

    /// Parses a catalogue file as uploaded: bytes that must be UTF-8.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::parse(utf8(bytes)?)
    }

    /// The catalogue shipped with Wangge.
    pub fn shipped() -> Self {
        // The shipped file is checked by a test; failing here would be a build defect.
        Self::parse(SHIPPED_ITEMS).unwrap_or_else(|e| panic!("shipped catalogue is invalid: {e}"))
    }

    /// Checks that every item's department is one of `departments`, naming the line if not.
    pub fn check_departments(&self, departments: &[Department]) -> Result<(), Error> {
        for item in &self.items {
            if let Some(code) = &item.department
                && !departments.iter().any(|d| &d.code == code)
            {
                return Err(Error::Catalogue {
                    line: item.line,
                    message: format!("department {code} is not a known department"),
                });
            }
        }
        Ok(())
    }

    /// All items, in file order.
    pub fn items(&self) -> &[CatalogueItem] {
        &self.items
    }

    /// The item with this code.
    pub fn get(&self, code: &CategoryCode) -> Option<&CatalogueItem> {
        self.items.iter().find(|i| &i.code == code)
    }
}

/// Parses and validates a departments file (`code,name_zh,name_en`).
pub fn parse_departments(text: &str) -> Result<Vec<Department>, Error> {
    let mut out: Vec<Department> = Vec::new();
    for (line, fields) in records(text, &DEPARTMENT_HEADER)? {
        let at = |message: String| Error::Catalogue { line, message };
        let code: DepartmentCode = fields[0].parse().map_err(|e: Error| at(e.to_string()))?;
        if fields[1].is_empty() || fields[2].is_empty() {
            return Err(at("name_zh and name_en must not be empty".into()));
        }
        if out.iter().any(|d| d.code == code) {
            return Err(at(format!("department {code} appears twice")));
        }
        out.push(Department {
            code,
            name_zh: fields[1].clone(),
            name_en: fields[2].clone(),
        });
    }
    Ok(out)
}

/// The departments shipped with Wangge.
pub fn shipped_departments() -> Vec<Department> {
    parse_departments(SHIPPED_DEPARTMENTS)
        .unwrap_or_else(|e| panic!("shipped departments file is invalid: {e}"))
}

/// Checks that a file is UTF-8, naming the first line that is not.
fn utf8(bytes: &[u8]) -> Result<&str, Error> {
    std::str::from_utf8(bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        let line = 1 + before.iter().filter(|b| **b == b'\n').count() as u64;
        Error::Catalogue {
            line,
            message: "the file is not valid UTF-8; save it as \"CSV UTF-8\"".into(),
        }
    })
}

/// Reads a CSV file with `#` comments and the exact `header`; yields (line, trimmed fields).
fn records(text: &str, header: &[&str]) -> Result<Vec<(u64, Vec<String>)>, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let found = reader.headers().map_err(csv_error)?.clone();
    let header_line = found.position().map_or(1, |p| p.line());
    if found.iter().collect::<Vec<_>>() != header {
        return Err(Error::Catalogue {
            line: header_line,
            message: format!("the header must be exactly: {}", header.join(",")),
        });
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            return Err(Error::Catalogue {
                line,
                message: format!("expected {} columns, found {}", header.len(), record.len()),
            });
        }
        out.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(out)
}

/// Input arrives as `&str` (UTF-8 is checked by [`utf8`]), so what remains is CSV structure.
fn csv_error(e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    Error::Catalogue {
        line,
        message: e.to_string(),
    }
}
