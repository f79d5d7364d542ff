//! What the simulator prints: each step of the day with its clock time in Chinese and
//! English, what a sync reports while it runs, and the upload queue.

use std::sync::Mutex;
use std::time::Duration;

use wangge_mobile::CaseStore;
use wangge_mobile::client::{CaseOutcome, SyncListener, SyncProgress};
use wangge_proto::values::CaseId;

/// Prints the day, pausing between steps so a person can follow it.
pub struct Narrator {
    pace: Duration,
}

impl Narrator {
    /// A narrator pausing `pace_secs` seconds after each step (0: no pauses, for tests).
    pub fn new(pace_secs: f64) -> Self {
        Self {
            pace: Duration::from_secs_f64(pace_secs.max(0.0)),
        }
    }

    /// A new step at `clock` (the simulated time of day).
    pub async fn step(&self, clock: &str, zh: &str, en: &str) {
        if !self.pace.is_zero() {
            tokio::time::sleep(self.pace).await;
        }
        println!();
        println!("{clock} {zh} / {en}");
    }

    /// A line under the current step.
    pub fn say(&self, zh: &str, en: &str) {
        println!("      {zh} / {en}");
    }

    /// A detail line (numbers, codes) under the current step.
    pub fn note(&self, text: &str) {
        println!("      · {text}");
    }
}

/// A sync listener that prints each report, with the simulator's short names for cases.
pub struct Printer<'a> {
    names: &'a [(CaseId, String)],
    outcomes: Mutex<Vec<CaseOutcome>>,
}

impl<'a> Printer<'a> {
    /// A printer naming the cases in `names` (others by id).
    pub fn new(names: &'a [(CaseId, String)]) -> Self {
        Self {
            names,
            outcomes: Mutex::new(Vec::new()),
        }
    }

    fn name(&self, case: &CaseId) -> String {
        self.names
            .iter()
            .find(|(id, _)| id == case)
            .map_or_else(|| case.to_string(), |(_, name)| name.clone())
    }

    /// The case results reported so far.
    pub fn outcomes(&self) -> Vec<CaseOutcome> {
        self.outcomes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl SyncListener for Printer<'_> {
    fn on_progress(&self, progress: &SyncProgress) {
        match progress {
            SyncProgress::Sending { round, cases, left } => println!(
                "      ↑ 第 {round} 轮：发送 {cases} 件（余 {left} 件）/ round {round}: sending {cases} case(s), {left} left"
            ),
            SyncProgress::Retrying {
                attempt,
                wait_ms,
                code,
            } => println!(
                "      ↻ 重试第 {attempt} 次（{wait_ms} ms 后，{code}）/ retry {attempt} in {wait_ms} ms ({code})"
            ),
            SyncProgress::Uploading { done, total, bytes } if done < total => println!(
                "      ↑ 上传照片 {}/{total}，{bytes} 字节 / uploading photo file {} of {total}, {bytes} bytes",
                done + 1,
                done + 1
            ),
            SyncProgress::Uploading { .. } => {}
            SyncProgress::Done => println!("      ✓ 同步完成 / sync done"),
        }
    }

    fn on_case(&self, outcome: &CaseOutcome) {
        match outcome {
            CaseOutcome::Accepted { case } => println!(
                "      ✓ 服务器已接收「{}」/ the server accepted it",
                self.name(case)
            ),
            CaseOutcome::Refused { case, code, zh, en } => println!(
                "      ✗ 服务器拒绝「{}」：{zh} / refused: {en} ({code})",
                self.name(case)
            ),
            CaseOutcome::Held { case, code, zh, en } => println!(
                "      … 服务器暂未接收「{}」：{zh} / held back: {en} ({code})",
                self.name(case)
            ),
            CaseOutcome::Received { case } => println!(
                "      ↓ 收到他人对「{}」的更新 / others changed it",
                self.name(case)
            ),
        }
        self.outcomes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(outcome.clone());
    }
}

/// Prints the upload queue (the app's "待上传" screen) and returns its total bytes.
pub fn print_queue(store: &CaseStore) -> anyhow::Result<u64> {
    let queue = store.photo_queue()?;
    let bytes: u64 = queue.iter().map(|q| q.length).sum();
    println!(
        "      待上传 {} 个文件，共 {bytes} 字节 / upload queue: {} file(s), {bytes} bytes",
        queue.len(),
        queue.len()
    );
    for queued in &queue {
        let hash = queued.hash.to_string();
        println!(
            "        {:<9} {:>8} B  {}…{}",
            format!("{:?}", queued.kind).to_lowercase(),
            queued.length,
            &hash[..hash.len().min(12)],
            queued
                .last_error
                .as_deref()
                .map(|e| format!("  ({e})"))
                .unwrap_or_default()
        );
    }
    Ok(bytes)
}
