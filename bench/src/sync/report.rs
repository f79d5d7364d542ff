//! The results as a table for people and as one JSON document for machines.
//!
//! JSON: `{"scenarios": [{"name", "round_trips", "bytes_up", "bytes_down", "baseline_bytes",
//! "limit_bytes", "converged", …extra fields}]}`. The ratio in the table is the baseline's
//! bytes divided by ours.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Result, ScenarioResult};

#[derive(Serialize)]
struct Document<'a> {
    scenarios: &'a [ScenarioResult],
}

/// The JSON document.
pub fn json(results: &[ScenarioResult]) -> Result<String> {
    Ok(serde_json::to_string_pretty(&Document {
        scenarios: results,
    })?)
}

/// The table, then one line per scenario with its target and what missed.
pub fn table(results: &[ScenarioResult]) -> String {
    let header = [
        "name",
        "round trips",
        "bytes up",
        "bytes down",
        "baseline bytes",
        "limit bytes",
        "ratio",
        "result",
    ];
    let rows: Vec<[String; 8]> = results
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                format!("{} (base {})", r.round_trips, r.baseline_round_trips),
                r.bytes_up.to_string(),
                r.bytes_down.to_string(),
                r.baseline_bytes.to_string(),
                r.limit_bytes.to_string(),
                ratio(r),
                verdict(r).to_owned(),
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
    let rule = widths.map(|w| "-".repeat(w));
    line(&mut out, &rule, &widths);
    for row in &rows {
        line(&mut out, row, &widths);
    }
    out.push('\n');
    for r in results {
        let _ = writeln!(out, "{}: {}", r.name, r.target);
        let raw = if r.baseline_raw_bytes == r.baseline_bytes {
            String::new()
        } else {
            format!(" with zstd, {} B raw", r.baseline_raw_bytes)
        };
        let _ = writeln!(
            out,
            "  ours {} B both ways; baseline {} B{raw}{}",
            r.bytes(),
            r.baseline_bytes,
            if r.baseline_converged {
                ""
            } else {
                " (baseline did NOT complete)"
            }
        );
        if !r.details.is_empty() {
            let details: Vec<String> = r.details.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(out, "  {}", details.join(" "));
        }
        for note in &r.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        for miss in &r.misses {
            let _ = writeln!(out, "  MISS: {miss}");
        }
    }
    out.push_str(
        "ratio = baseline bytes / our bytes, both ways; result: every target met or not.\n",
    );
    out
}

fn line(out: &mut String, cells: &[String; 8], widths: &[usize; 8]) {
    let padded: Vec<String> = cells
        .iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (cell, width))| {
            let pad = width - cell.chars().count();
            if i == 0 || i == 7 {
                format!("{cell}{}", " ".repeat(pad))
            } else {
                format!("{}{cell}", " ".repeat(pad))
            }
        })
        .collect();
    let _ = writeln!(out, "{}", padded.join("  ").trim_end());
}

fn ratio(r: &ScenarioResult) -> String {
    if r.baseline_bytes == 0 {
        return "-".to_owned();
    }
    format!("{:.1}×", r.baseline_bytes as f64 / r.bytes().max(1) as f64)
}

fn verdict(r: &ScenarioResult) -> &'static str {
    match (r.converged, r.pass) {
        (false, _) => "FAIL (not converged)",
        (true, true) => "pass",
        (true, false) => "FAIL",
    }
}
