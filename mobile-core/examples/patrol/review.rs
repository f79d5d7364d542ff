//! The review loop of the day: the community secretary's phone returns the parking case
//! for more information and accepts the street light; the worker's phone receives the
//! return with its reason, adds a close-up photo and a comment, and reports again.

use anyhow::{Context, bail};
use wangge_mobile::client::{CaseOutcome, NetworkKind};
use wangge_proto::case::EvidenceStage;
use wangge_proto::workflow::Action;
use wangge_proto::{Label, Locale};

use crate::day::{Day, RETURN_REASON, lock};
use crate::narrate::{Printer, print_queue};

impl Day {
    /// The secretary's phone syncs, returns the parking case and accepts the street light.
    pub(crate) async fn secretary_reviews(&mut self) -> anyhow::Result<()> {
        self.say
            .step(
                "14:00",
                "社区书记审核（书记的手机）",
                "the community secretary reviews (her phone)",
            )
            .await;
        self.secretary
            .sync(NetworkKind::Unmetered, &Printer::new(&self.cases))
            .await?;
        let (light, parking) = (self.case(1)?, self.case(2)?);
        {
            let mut store = lock(&self.secretary);
            store.act(&light, Action::Accept)?;
            self.say.say("受理「路灯不亮」", "accepts the street light");
            store.act(
                &parking,
                Action::ReturnForMore {
                    reason: RETURN_REASON.into(),
                },
            )?;
            self.say.say(
                &format!("退回「乱停放」：{RETURN_REASON}"),
                "returns the parking case: the number plate cannot be read",
            );
        }
        self.secretary
            .sync(NetworkKind::Unmetered, &Printer::new(&self.cases))
            .await?;
        Ok(())
    }

    /// The worker receives the return, adds a close-up and a comment, and reports again.
    pub(crate) async fn worker_answers(&mut self) -> anyhow::Result<()> {
        self.say
            .step(
                "14:30",
                "网格员同步（移动数据）",
                "the worker syncs (mobile data)",
            )
            .await;
        let parking = self.case(2)?;
        let (_, outcomes) = self.sync_worker(NetworkKind::Metered).await?;
        if !outcomes.contains(&CaseOutcome::Received { case: parking }) {
            bail!("the secretary's return did not reach the worker's phone");
        }
        let status = {
            let store = lock(&self.worker);
            let detail = store
                .detail(&parking)?
                .context("the parking case is gone")?;
            self.return_seen = detail
                .view
                .events
                .iter()
                .rev()
                .find_map(|e| match &e.action {
                    Action::ReturnForMore { reason } => Some(reason.clone()),
                    _ => None,
                });
            detail.state.status
        };
        self.say.say(
            &format!(
                "「乱停放」{}：{}",
                status.label(Locale::ZhCn),
                self.return_seen.as_deref().unwrap_or("（无原因）")
            ),
            &format!("the parking case is {}", status.label(Locale::En)),
        );
        self.say
            .step(
                "14:40",
                "补拍车牌特写，再次上报",
                "a close-up of the plate, reported again",
            )
            .await;
        {
            let mut store = lock(&self.worker);
            self.camera
                .shoot(&mut store, &parking, "车牌特写", EvidenceStage::Before)?;
            store.comment(&parking, "已补拍车牌特写，车牌为京 A·12345")?;
            store.act(
                &parking,
                Action::Report {
                    on_site_resolved: false,
                },
            )?;
            self.say.say(
                "已补充照片和说明并再次上报",
                "photo and comment added, reported again",
            );
        }
        self.sync_worker(NetworkKind::Metered).await?;
        print_queue(&lock(&self.worker))?;
        Ok(())
    }
}
