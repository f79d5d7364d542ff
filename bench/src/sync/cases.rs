//! Realistic case documents from a seed: what a grid worker's phone really holds.
//!
//! Each case has the full layout (≈ 16 fields), a title, ≈ 200 Chinese characters of
//! description, a location, 2 photo references, 5 workflow events and 3 comments, written in
//! 4 commits as a phone would (register; photos and report; accept and grade; handling). The
//! design notes measured ≈ 1.9 KB saved per such case. Edits made later are small: an
//! appended sentence and a comment by the worker, or a progress event and a comment by the
//! secretary.

use automerge::AutoCommit;
use wangge_proto::case::{
    CaseDocument, CaseSource, Comment, Evidence, EvidenceStage, ImageMime, Location, NewCase,
    Origin,
};
use wangge_proto::values::{CaseId, CommentId, ContentHash, EventId, GeoPoint, Timestamp};
use wangge_proto::workflow::{Action, Tier, WorkflowEvent, heads};
use wangge_sync::sim::rand::{Rng, SeedableRng};
use wangge_sync::sim::{ChaCha8Rng, START_MS};

use super::Result;
use super::people::{Org, Person};

pub(crate) const PLACES: [&str; 8] = [
    "和平里北街",
    "安定门外大街",
    "青年湖南街",
    "地坛公园东门",
    "交道口东大街",
    "小黄庄路",
    "东四十条",
    "雍和宫大街",
];

pub(crate) const PROBLEMS: [&str; 8] = [
    "垃圾堆放",
    "占道经营",
    "井盖破损",
    "楼道堆物",
    "车辆乱停",
    "路面积水",
    "绿地被占",
    "违规张贴小广告",
];

pub(crate) const SENTENCES: [&str; 16] = [
    "小区南门外堆放生活垃圾约两立方米，有明显异味。",
    "居民反映该处垃圾已连续三天未清运，夏季高温容易滋生蚊蝇。",
    "现场发现共享单车乱停乱放，占用盲道和消防通道。",
    "楼道内堆放纸箱和旧家具等杂物，存在较大消防安全隐患。",
    "路面井盖松动破损，夜间照明不足，行人经过时容易绊倒。",
    "临街商铺店外经营，占道摆放桌椅和货架，影响行人通行。",
    "绿化带内有私自开垦种菜现象，破坏公共绿地。",
    "雨水篦子被落叶和泥沙堵塞，下雨时路面积水严重。",
    "小区内有车辆长期停放不动，车身积灰，疑似僵尸车。",
    "外墙空调外机支架锈蚀严重，存在高空坠落风险。",
    "网格员已现场拍照取证，并告知物业公司负责人尽快处理。",
    "已联系社区居委会和物业，约定明日上午再次到现场核实。",
    "周边居民情绪较为激动，希望相关部门尽快介入解决。",
    "该问题此前曾多次反映，整改后又出现反弹，需要建立长效机制。",
    "早晚高峰时段人流量大，存在一定安全隐患，建议优先处置。",
    "现场有老人和儿童经过，已设置临时警示标志提醒绕行。",
];

pub(crate) const REMARKS: [&str; 10] = [
    "已电话联系物业经理，答复今天下午安排清运。",
    "请网格员明天上午复查一次并拍照上传。",
    "居民代表表示满意，希望以后定期巡查。",
    "物业称人手不足，已协调社区志愿者协助。",
    "该点位纳入本周重点巡查清单。",
    "已通知城管中队，预计两个工作日内处理完毕。",
    "现场复核情况属实，同意受理。",
    "处置前后照片已补充完整。",
    "与商户沟通后已将货架收回店内。",
    "请注意保留相关记录，月底汇总上报。",
];

pub(crate) const CAPTIONS: [&str; 4] = ["现场全景", "问题近景", "周边环境", "门牌位置"];

/// Builds cases and edits from one seeded generator, on a simulated clock.
#[derive(Debug)]
pub struct CaseFactory {
    pub(crate) rng: ChaCha8Rng,
    /// Milliseconds since the Unix epoch of the next thing that happens.
    now_ms: i64,
}

impl CaseFactory {
    /// A factory whose every choice derives from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            now_ms: START_MS - 30 * 24 * 3_600_000,
        }
    }

    /// A new case registered by `by` on their phone (edited as their actor): 4 commits.
    pub fn new_case(&mut self, org: &Org, by: &Person) -> Result<(CaseId, AutoCommit)> {
        let created_at = self.tick()?;
        let id = CaseId::from_parts(created_at, self.rng.random());
        let place = self.pick(&PLACES);
        let worker = &org.worker;
        let new = NewCase {
            id,
            origin: Origin {
                reporter: by.user,
                role: by.role,
                device: by.device,
                grid: org.grid.clone(),
                created_at,
                source: self.pick(&[
                    CaseSource::Patrol,
                    CaseSource::Hotline,
                    CaseSource::Wechat,
                    CaseSource::Visit,
                ]),
            },
            category: self
                .pick(&["SR-01", "SR-02", "CG-03", "CG-07", "JT-02", "LH-01"])
                .parse()?,
            title: format!("{place}{}", self.pick(&PROBLEMS)),
            description: self.description(200),
            location: Some(Location {
                point: GeoPoint::new(
                    39.93 + self.rng.random_range(0.0..0.05),
                    116.39 + self.rng.random_range(0.0..0.05),
                )?,
                accuracy_m: Some(f64::from(self.rng.random_range(3u8..30))),
                address: format!(
                    "{place}{}号院{}号楼南侧",
                    self.rng.random_range(1..60),
                    self.rng.random_range(1..12)
                ),
            }),
        };
        let mut case = CaseDocument::create(&new, by.actor.clone())?;

        // Photos and the report.
        for _ in 0..2 {
            let evidence = self.evidence(by, EvidenceStage::Before)?;
            case.add_evidence(&evidence)?;
        }
        self.event(
            &mut case,
            by,
            Action::Report {
                on_site_resolved: false,
            },
        )?;
        let at = self.tick()?;
        case.commit(at, "report");

        // The community accepts and grades it.
        let secretary = &org.secretary;
        self.event(&mut case, secretary, Action::Accept)?;
        self.event(&mut case, secretary, Action::Grade { tier: Tier::Simple })?;
        self.comment(&mut case, secretary)?;
        let at = self.tick()?;
        case.commit(at, "accept");

        // Handled locally, with progress and two more comments.
        self.event(&mut case, secretary, Action::SelfHandle)?;
        let note = self.pick(&REMARKS).to_string();
        self.event(&mut case, worker, Action::Progress { note })?;
        self.comment(&mut case, worker)?;
        self.comment(&mut case, secretary)?;
        let at = self.tick()?;
        case.commit(at, "progress");
        Ok((id, case.into_automerge()))
    }

    /// The worker's edit: one more sentence of description and a comment, one commit.
    pub fn worker_edit(&mut self, org: &Org, doc: &mut AutoCommit) -> Result<()> {
        let mut case = CaseDocument::from_automerge(std::mem::take(doc))?;
        let mut description = case.read()?.description;
        description.push_str(self.pick(&SENTENCES));
        case.set_description(&description)?;
        self.comment(&mut case, &org.worker)?;
        let at = self.tick()?;
        case.commit(at, "edit");
        *doc = case.into_automerge();
        Ok(())
    }

    /// The secretary's edit: a progress event and a comment, one commit.
    pub fn secretary_edit(&mut self, org: &Org, doc: &mut AutoCommit) -> Result<()> {
        let mut case = CaseDocument::from_automerge(std::mem::take(doc))?;
        let note = self.pick(&REMARKS).to_string();
        self.event(&mut case, &org.secretary, Action::Progress { note })?;
        self.comment(&mut case, &org.secretary)?;
        let at = self.tick()?;
        case.commit(at, "progress");
        *doc = case.into_automerge();
        Ok(())
    }

    /// Advances the clock by 1–20 minutes and returns the new time.
    pub(crate) fn tick(&mut self) -> Result<Timestamp> {
        self.now_ms += self.rng.random_range(60_000..1_200_000);
        Ok(Timestamp::from_millis(self.now_ms)?)
    }

    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    /// About `chars` Chinese characters of sentences.
    pub(crate) fn description(&mut self, chars: usize) -> String {
        let mut text = String::new();
        while text.chars().count() < chars {
            text.push_str(self.pick(&SENTENCES));
        }
        text.chars().take(chars + 10).collect()
    }

    pub(crate) fn evidence(&mut self, by: &Person, stage: EvidenceStage) -> Result<Evidence> {
        let at = self.tick()?;
        Ok(Evidence {
            hash: ContentHash::from_bytes(self.rng.random()),
            size: self.rng.random_range(150_000..320_000),
            width: 1600,
            height: 1200,
            mime: ImageMime::Jpeg,
            captured_at: Some(at),
            captured_place: Some(GeoPoint::new(
                39.93 + self.rng.random_range(0.0..0.05),
                116.39 + self.rng.random_range(0.0..0.05),
            )?),
            thumbnail: Some(ContentHash::from_bytes(self.rng.random())),
            stage,
            caption: self.pick(&CAPTIONS).to_string(),
            added_by: by.user,
            device: by.device,
            added_at: at,
        })
    }

    pub(crate) fn comment(&mut self, case: &mut CaseDocument, by: &Person) -> Result<()> {
        let at = self.tick()?;
        let comment = Comment {
            id: CommentId::from_parts(at, self.rng.random()),
            author: by.user,
            role: by.role,
            device: by.device,
            at,
            text: self.pick(&REMARKS).to_string(),
        };
        case.add_comment(&comment)?;
        Ok(())
    }

    fn event(&mut self, case: &mut CaseDocument, by: &Person, action: Action) -> Result<()> {
        let at = self.tick()?;
        let (events, _) = case.events()?;
        let event = WorkflowEvent {
            id: EventId::from_parts(at, self.rng.random()),
            action,
            actor: by.user,
            role: by.role,
            device: by.device,
            at,
            follows: heads(&events),
        };
        case.append_event(&event)?;
        Ok(())
    }
}
