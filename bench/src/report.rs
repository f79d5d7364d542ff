//! Measured figures (`-- server`, `-- mobile`) as a table for people and as one JSON document
//! for machines.
//!
//! JSON: `{"figures": [{"name", "backend", "value", "unit", "baseline", "target", "met",
//! "details", "notes"}, …]}`; `baseline` is `null` where a figure has none.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::sync::Result;

/// One measured figure.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// e.g. `merge-validated`.
    pub name: String,
    /// `sqlite`, `postgres` or `memory`; for phone figures the engine, e.g. `native`.
    pub backend: String,
    /// The measured value.
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// The same measurement's baseline in the same run, if the figure has one.
    pub baseline: Option<f64>,
    /// The target, in words.
    pub target: String,
    /// Whether the target is met.
    pub met: bool,
    /// Further numbers (p99, errors, cases, ratio, …).
    pub details: BTreeMap<String, f64>,
    /// What was measured exactly, and what missed.
    pub notes: Vec<String>,
}

#[derive(Serialize)]
struct Document<'a> {
    figures: &'a [Figure],
}

/// The JSON document.
pub fn json(figures: &[Figure]) -> Result<String> {
    Ok(serde_json::to_string_pretty(&Document { figures })?)
}

/// The table, then per figure its target, details and notes.
pub fn table(figures: &[Figure]) -> String {
    let header = [
        "name", "backend", "value", "unit", "baseline", "ratio", "result",
    ];
    let rows: Vec<[String; 7]> = figures
        .iter()
        .map(|f| {
            [
                f.name.clone(),
                f.backend.clone(),
                number(f.value),
                f.unit.clone(),
                f.baseline.map_or_else(|| "-".to_owned(), number),
                match f.baseline {
                    Some(baseline) if f.value > 0.0 => format!("{:.2}", baseline / f.value),
                    _ => "-".to_owned(),
                },
                if f.met { "pass" } else { "MISS" }.to_owned(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    line(&mut out, &header.map(str::to_owned), &widths);
    line(&mut out, &widths.map(|w| "-".repeat(w)), &widths);
    for row in &rows {
        line(&mut out, row, &widths);
    }
    out.push('\n');
    for f in figures {
        let _ = writeln!(out, "{} ({}): {}", f.name, f.backend, f.target);
        if !f.details.is_empty() {
            let details: Vec<String> = f
                .details
                .iter()
                .map(|(k, v)| format!("{k}={}", number(*v)))
                .collect();
            let _ = writeln!(out, "  {}", details.join(" "));
        }
        for note in &f.notes {
            let _ = writeln!(out, "  note: {note}");
        }
    }
    out.push_str(
        "ratio = baseline / value (for throughput: the cost of validation relative to the \
         unvalidated merge; for photo time and bytes: how many times faster or smaller than \
         the plain image-crate path).\n",
    );
    out
}

/// A figure as people read it: whole numbers above 100, two decimals below.
fn number(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

fn line(out: &mut String, cells: &[String; 7], widths: &[usize; 7]) {
    let padded: Vec<String> = cells
        .iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (cell, width))| {
            let pad = " ".repeat(width - cell.chars().count());
            if matches!(i, 2 | 4 | 5) {
                format!("{pad}{cell}")
            } else {
                format!("{cell}{pad}")
            }
        })
        .collect();
    let _ = writeln!(out, "{}", padded.join("  ").trim_end());
}
