//! The end of the day: the summary table, and the checks that make the simulator a smoke
//! test — every case synced in the state the script led it to, no photo left in the queue,
//! the secretary's return received with its reason.

use anyhow::bail;
use wangge_proto::workflow::Status;
use wangge_proto::{Label, Locale};

use crate::day::{Day, RETURN_REASON, lock};

/// Prints the table of today's cases and the totals.
pub fn summary(day: &Day) -> anyhow::Result<()> {
    println!();
    println!("今日小结 / the day in numbers");
    println!(
        "  {} {} {} {} 已同步 synced",
        pad("案件 / case", 30),
        pad("类别 item", 10),
        pad("状态 / status", 26),
        pad("照片 photos", 12),
    );
    let store = lock(&day.worker);
    let mut photos = 0;
    for (case, name) in &day.cases {
        let detail = store
            .detail(case)?
            .ok_or_else(|| anyhow::anyhow!("{name} is gone from the phone"))?;
        photos += detail.view.evidence.len();
        let status = format!(
            "{} / {}",
            detail.summary.status.label(Locale::ZhCn),
            detail.summary.status.label(Locale::En)
        );
        let synced = if detail.summary.unsent {
            "否 no"
        } else {
            "是 yes"
        };
        println!(
            "  {} {} {} {} {synced}",
            pad(name, 30),
            pad(&detail.summary.category.to_string(), 10),
            pad(&status, 26),
            pad(&detail.view.evidence.len().to_string(), 12),
        );
    }
    println!(
        "  案件 {} 件，照片 {photos} 张，上传照片 {} 字节，照片处理用时 {} ms",
        day.cases.len(),
        day.bytes_sent,
        day.camera.processing.as_millis()
    );
    println!(
        "  {} cases, {photos} photos, {} photo bytes sent, {} ms spent processing photos",
        day.cases.len(),
        day.bytes_sent,
        day.camera.processing.as_millis()
    );
    Ok(())
}

/// `text` padded with spaces to `width` terminal columns (Chinese characters take two).
fn pad(text: &str, width: usize) -> String {
    let used: usize = text
        .chars()
        .map(|c| if c >= '\u{1100}' { 2 } else { 1 })
        .sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}

/// Fails unless the day ended as scripted.
pub fn outcome(day: &Day) -> anyhow::Result<()> {
    let mut problems = Vec::new();
    let expected = [Status::Reported, Status::Accepted, Status::Reported];
    let store = lock(&day.worker);
    if day.cases.len() != expected.len() {
        problems.push(format!("{} cases registered, not 3", day.cases.len()));
    }
    for ((case, name), want) in day.cases.iter().zip(expected) {
        let Some(detail) = store.detail(case)? else {
            problems.push(format!("{name}: not on the phone"));
            continue;
        };
        if detail.summary.unsent {
            problems.push(format!("{name}: not synced"));
        }
        if detail.summary.status != want {
            problems.push(format!(
                "{name}: {} instead of {}",
                detail.summary.status, want
            ));
        }
    }
    let queue = store.photo_queue()?;
    if !queue.is_empty() {
        problems.push(format!("{} photo file(s) still queued", queue.len()));
    }
    let refused = store.rejected_of(None)?;
    if !refused.is_empty() {
        problems.push(format!("{} edit(s) refused by the server", refused.len()));
    }
    if day.return_seen.as_deref() != Some(RETURN_REASON) {
        problems.push(format!(
            "the return was not received with its reason (saw {:?})",
            day.return_seen
        ));
    }
    if problems.is_empty() {
        println!("\n✓ 一天顺利结束 / the day ended as expected");
        return Ok(());
    }
    bail!(
        "the day ended in an unexpected state:\n  - {}",
        problems.join("\n  - ")
    )
}
