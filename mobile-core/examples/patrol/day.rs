//! The scripted day: a morning offline registering cases with photos, signal on mobile data
//! at noon, the community secretary returning one case and accepting another, the worker
//! answering the return, and the evening on Wi-Fi when the full photos go. Each step goes
//! through the phone library's public API only, as an app would.

use std::sync::MutexGuard;

use anyhow::{Context, bail};
use wangge_mobile::client::{CaseOutcome, NetworkKind, SyncSummary};
use wangge_mobile::{CaseStore, SyncClient};
use wangge_proto::Locale;
use wangge_proto::case::{CaseSource, EvidenceStage};
use wangge_proto::values::CaseId;
use wangge_proto::workflow::Action;

use crate::camera::Camera;
use crate::narrate::{Narrator, Printer, print_queue};

/// Why the secretary returns the parking case.
pub const RETURN_REASON: &str = "看不清车牌，请补拍车牌特写";

/// The worker's and the secretary's phones, and what the day has done so far.
pub struct Day {
    pub worker: SyncClient,
    pub secretary: SyncClient,
    pub say: Narrator,
    pub camera: Camera,
    /// The cases registered today, with their short names: on-site, street light, parking.
    pub cases: Vec<(CaseId, String)>,
    /// Photo bytes the server verified today.
    pub bytes_sent: u64,
    /// The reason the worker's phone shows for the return, once received.
    pub return_seen: Option<String>,
}

/// Locks a phone's store.
pub fn lock(client: &SyncClient) -> MutexGuard<'_, CaseStore> {
    client
        .store()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Day {
    pub(crate) fn case(&self, index: usize) -> anyhow::Result<CaseId> {
        self.cases
            .get(index)
            .map(|(id, _)| *id)
            .context("the case was not registered")
    }

    /// Registers a case in grid `grid` from catalogue item `code`, with photos, and reports it.
    fn register(
        &mut self,
        grid: &str,
        code: &str,
        title: &str,
        description: &str,
        photos: &[(&str, EvidenceStage)],
        on_site_resolved: bool,
    ) -> anyhow::Result<()> {
        let mut guard = lock(&self.worker);
        let store = &mut *guard;
        let category = code.parse()?;
        let item = store
            .catalogue()
            .get(&category)
            .map(|i| format!("{} / {}", i.name(Locale::ZhCn), i.name(Locale::En)))
            .with_context(|| format!("{code} is not in the catalogue"))?;
        self.say
            .note(&format!("「{title}」— {code} {item}, 网格 grid {grid}"));
        let case = store.create_case(wangge_mobile::store::NewCaseInput {
            grid: grid.parse()?,
            category,
            title: title.into(),
            description: description.into(),
            location: None,
            source: CaseSource::Patrol,
        })?;
        for (caption, stage) in photos {
            self.camera.shoot(store, &case, caption, *stage)?;
        }
        store.act(&case, Action::Report { on_site_resolved })?;
        if on_site_resolved {
            self.say.say(
                "当场处置，上报备案",
                "fixed on the spot, reported for the record",
            );
        } else {
            self.say.say("已上报，待社区审核", "reported for review");
        }
        self.cases.push((case, title.into()));
        Ok(())
    }

    /// Syncs the worker's phone on `network`, counting the photo bytes that went.
    pub(crate) async fn sync_worker(
        &mut self,
        network: NetworkKind,
    ) -> anyhow::Result<(SyncSummary, Vec<CaseOutcome>)> {
        let before = lock(&self.worker).photo_queue()?;
        let printer = Printer::new(&self.cases);
        let summary = self.worker.sync(network, &printer).await?;
        let after = lock(&self.worker).photo_queue()?;
        self.bytes_sent += before
            .iter()
            .filter(|q| !after.iter().any(|a| a.hash == q.hash))
            .map(|q| q.length)
            .sum::<u64>();
        Ok((summary, printer.outcomes()))
    }

    /// The whole day.
    pub async fn run(&mut self) -> anyhow::Result<()> {
        self.say
            .step("08:30", "巡查开始（离线）", "patrol starts (offline)")
            .await;
        self.register(
            "110199001001001",
            "SR-01",
            "和平里北街垃圾堆放",
            "路口东侧绿化带旁堆放生活垃圾约两袋",
            &[
                ("垃圾堆放", EvidenceStage::Before),
                ("清理后", EvidenceStage::After),
            ],
            true,
        )?;
        self.say
            .step("09:10", "发现路灯不亮", "a street light is out")
            .await;
        self.register(
            "110199001001002",
            "SS-01",
            "和平里中街 8 号路灯不亮",
            "8 号楼北侧路灯夜间不亮，已连续两晚",
            &[("路灯", EvidenceStage::Before)],
            false,
        )?;
        self.say
            .step("09:40", "发现机动车乱停放", "a car parked illegally")
            .await;
        self.register(
            "110199001001003",
            "JM-06",
            "消防通道机动车乱停放",
            "小区消防通道停放一辆白色轿车，影响通行",
            &[("乱停车辆", EvidenceStage::Before)],
            false,
        )?;

        self.say
            .step("10:00", "尝试同步（无信号）", "trying to sync (no signal)")
            .await;
        match self
            .worker
            .sync(NetworkKind::Offline, &Printer::new(&self.cases))
            .await
        {
            Err(error) => self.say.say(
                &error.message(Locale::ZhCn),
                &format!("{} ({})", error.message(Locale::En), error.code()),
            ),
            Ok(_) => bail!("a sync with no network reported success"),
        }
        {
            let store = lock(&self.worker);
            let unsent = store
                .list(&wangge_mobile::store::CaseFilter {
                    unsent: true,
                    ..Default::default()
                })?
                .len();
            self.say.note(&format!(
                "本机待同步 {unsent} 件 / {unsent} case(s) waiting on the phone"
            ));
            print_queue(&store)?;
        }

        self.say
            .step(
                "12:10",
                "信号恢复（移动数据）",
                "signal is back (mobile data)",
            )
            .await;
        let (summary, _) = self.sync_worker(NetworkKind::Metered).await?;
        self.say.note(&format!(
            "接收 {} 件，照片已传 {} 个，等待 {} 个 / {} accepted, {} photo files sent, {} waiting for Wi-Fi",
            summary.accepted.len(),
            summary.photos_sent,
            summary.photos_waiting,
            summary.accepted.len(),
            summary.photos_sent,
            summary.photos_waiting
        ));
        print_queue(&lock(&self.worker))?;

        self.secretary_reviews().await?;
        self.worker_answers().await?;

        self.say
            .step("18:30", "下班连上 Wi-Fi", "evening, on Wi-Fi")
            .await;
        let (summary, _) = self.sync_worker(NetworkKind::Unmetered).await?;
        self.say.note(&format!(
            "照片已传 {} 个，等待 {} 个 / {} photo files sent, {} waiting",
            summary.photos_sent,
            summary.photos_waiting,
            summary.photos_sent,
            summary.photos_waiting
        ));
        print_queue(&lock(&self.worker))?;
        Ok(())
    }
}
