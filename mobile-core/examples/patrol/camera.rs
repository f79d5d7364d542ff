//! The worker's camera: seeded camera-like street photos (`photo::testdata`), put through
//! the phone's photo pipeline with its progress shown, and attached to a case.

use std::time::{Duration, Instant};

use wangge_mobile::CaseStore;
use wangge_mobile::photo::testdata::{CameraExif, camera_jpeg, scene};
use wangge_mobile::photo::{PhotoOptions, Stage, process};
use wangge_proto::case::EvidenceStage;
use wangge_proto::values::CaseId;

/// Takes photos from a seed, and keeps count of what processing them cost.
pub struct Camera {
    seed: u64,
    shots: u64,
    /// Time spent in the photo pipeline so far.
    pub processing: Duration,
}

impl Camera {
    /// A camera whose pictures all follow from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            shots: 0,
            processing: Duration::ZERO,
        }
    }

    /// Takes a photo (about 1600–2400 px on the long edge, so the demo stays quick),
    /// processes it showing each stage, and attaches it to `case` with `caption` as evidence
    /// of `stage`.
    pub fn shoot(
        &mut self,
        store: &mut CaseStore,
        case: &CaseId,
        caption: &str,
        stage: EvidenceStage,
    ) -> anyhow::Result<()> {
        self.shots += 1;
        let seed = self.seed.wrapping_mul(1_000).wrapping_add(self.shots);
        let long = 1600 + u32::try_from(seed % 5).unwrap_or(0) * 200;
        let original = camera_jpeg(&scene(long, long * 3 / 4, seed), 92, &CameraExif::default());
        print!(
            "      📷 {caption}：{}×{} 原图 {} 字节 / original {} bytes —",
            long,
            long * 3 / 4,
            original.len(),
            original.len()
        );
        let started = Instant::now();
        let photo = process(&original, &PhotoOptions::default(), &mut |p| {
            let name = match p.stage {
                Stage::Probe => "probe",
                Stage::Decode => "decode",
                Stage::Resize => "resize",
                Stage::Encode => "encode",
                Stage::Thumbnail => "thumbnail",
                Stage::Done => "done",
            };
            print!(" {name} {:.0}%", p.fraction * 100.0);
        })?;
        let took = started.elapsed();
        self.processing += took;
        println!();
        println!(
            "         处理 {} ms：主图 {}×{} {} 字节，缩略图 {} 字节 / processed in {} ms: main {} bytes, thumbnail {} bytes",
            took.as_millis(),
            photo.main.width,
            photo.main.height,
            photo.main.bytes.len(),
            photo.thumbnail.bytes.len(),
            took.as_millis(),
            photo.main.bytes.len(),
            photo.thumbnail.bytes.len()
        );
        store.attach_photo(case, &photo, &original, stage, caption)?;
        Ok(())
    }
}
