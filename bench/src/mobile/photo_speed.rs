//! `photo-12mp` and `photo-12mp-bytes`: the phone's pipeline ([`wangge_mobile::photo::process`],
//! native engine, default options) against the image crate's plain path ([`super::baseline`])
//! on the same camera photos, interleaved run by run, one core (neither path starts threads).
//!
//! The byte figure is judged at equal quality: the main file's PSNR against the plain path's
//! Lanczos3-resized pixels before encoding must stay ≥ 39.5 dB. Two informational rows show
//! the same pipeline writing WebP and the pure-Rust engine (for builds without C codecs).

use std::collections::BTreeMap;
use std::time::Instant;

use wangge_mobile::photo::{self, Engine, OutputFormat, PhotoOptions, ProcessedPhoto, Stage};

use super::{Config, Figure, baseline, median};
use crate::sync::Result;

/// The targets.
const MAX_MEDIAN_MS: f64 = 200.0;
const MAX_TIME_RATIO: f64 = 0.5;
const MAX_BYTES_RATIO: f64 = 0.65;
const MIN_PSNR_DB: f64 = 39.5;
const MAX_THUMBNAIL_BYTES: f64 = 8192.0;

/// One path's measurements over all photos.
#[derive(Default)]
struct Measured {
    millis: Vec<f64>,
    main_bytes: Vec<f64>,
    thumbnail_bytes: Vec<f64>,
    psnr: Vec<f64>,
    psnr_luma: Vec<f64>,
    /// Time per pipeline stage (from the progress reports), ms.
    stages: BTreeMap<Stage, Vec<f64>>,
}

impl Measured {
    fn mean_bytes(&self) -> f64 {
        self.main_bytes.iter().sum::<f64>() / self.main_bytes.len().max(1) as f64
    }

    fn min_psnr(&self) -> f64 {
        self.psnr.iter().copied().fold(f64::INFINITY, f64::min)
    }

    fn min_psnr_luma(&self) -> f64 {
        self.psnr_luma.iter().copied().fold(f64::INFINITY, f64::min)
    }

    fn max_thumbnail(&self) -> f64 {
        self.thumbnail_bytes.iter().copied().fold(0.0, f64::max)
    }
}

/// Runs the rows.
pub fn run(config: &Config, photos: &[Vec<u8>]) -> Result<Vec<Figure>> {
    let native = PhotoOptions {
        engine: Engine::Native,
        ..PhotoOptions::default()
    };
    let webp = PhotoOptions {
        format: OutputFormat::WebP,
        ..native.clone()
    };
    let portable = PhotoOptions {
        engine: Engine::Portable,
        ..PhotoOptions::default()
    };
    let (mut ours, mut plain, mut ours_webp, mut ours_portable) = Default::default();
    let mut equal_quality = None;
    for jpeg in photos {
        let mut reference = None;
        for _ in 0..config.repeats {
            let started = Instant::now();
            let result = baseline::run(jpeg, native.long_edge, native.thumbnail_edge)?;
            push_time(&mut plain, started);
            let started = Instant::now();
            let mut marks = Vec::with_capacity(8);
            let processed = photo::process(jpeg, &native, &mut |p| {
                marks.push((p.stage, Instant::now()))
            })?;
            push_time(&mut ours, started);
            for pair in marks.windows(2) {
                let ms = pair[1].1.duration_since(pair[0].1).as_secs_f64() * 1000.0;
                ours.stages.entry(pair[0].0).or_default().push(ms);
            }
            if reference.is_none() {
                record_files(
                    &mut plain,
                    &result.main,
                    &result.thumbnail,
                    &result.reference,
                )?;
                record(&mut ours, &processed, &result.reference)?;
                reference = Some(result.reference);
            }
        }
        let reference = reference.ok_or("no runs")?;
        if equal_quality.is_none() {
            equal_quality = Some(quality_for_psnr(jpeg, &native, &reference)?);
        }
        // The informational rows: fewer runs.
        for (options, measured) in [(&webp, &mut ours_webp), (&portable, &mut ours_portable)] {
            let started = Instant::now();
            let processed = photo::process(jpeg, options, &mut |_| {})?;
            push_time(measured, started);
            record(measured, &processed, &reference)?;
        }
    }
    Ok(vec![
        time_figure(&ours, &mut plain, config),
        bytes_figure(&ours, &plain, equal_quality),
        informational(
            "photo-12mp-webp",
            "native",
            &ours_webp,
            &plain,
            &format!(
                "WebP (libwebp) at the same quality setting, {}",
                native.quality
            ),
        ),
        informational(
            "photo-12mp-portable",
            "portable",
            &ours_portable,
            &plain,
            &format!(
                "the pure-Rust engine: zune-jpeg full-size decode, fast_image_resize, the image crate's JpegEncoder q {} (4:4:4)",
                portable.quality
            ),
        ),
    ])
}

fn push_time(measured: &mut Measured, started: Instant) {
    measured
        .millis
        .push(started.elapsed().as_secs_f64() * 1000.0);
}

fn record(
    measured: &mut Measured,
    processed: &ProcessedPhoto,
    reference: &image::RgbImage,
) -> Result<()> {
    record_files(
        measured,
        &processed.main.bytes,
        &processed.thumbnail.bytes,
        reference,
    )
}

fn record_files(
    measured: &mut Measured,
    main: &[u8],
    thumbnail: &[u8],
    reference: &image::RgbImage,
) -> Result<()> {
    measured.main_bytes.push(main.len() as f64);
    measured.thumbnail_bytes.push(thumbnail.len() as f64);
    measured.psnr.push(baseline::psnr(main, reference)?);
    measured
        .psnr_luma
        .push(baseline::psnr_luma(main, reference)?);
    Ok(())
}

fn time_figure(ours: &Measured, plain: &mut Measured, config: &Config) -> Figure {
    let mut ours_ms = ours.millis.clone();
    let value = median(&mut ours_ms);
    let baseline = median(&mut plain.millis);
    let met = value <= MAX_MEDIAN_MS && value <= MAX_TIME_RATIO * baseline;
    let mut details = BTreeMap::new();
    details.insert("max_ms".to_owned(), ours_ms.last().copied().unwrap_or(0.0));
    details.insert("time_ratio".to_owned(), value / baseline);
    details.insert("photos".to_owned(), config.photos as f64);
    details.insert("runs".to_owned(), ours_ms.len() as f64);
    for (stage, millis) in &ours.stages {
        let mut millis = millis.clone();
        details.insert(
            format!("{}_ms", format!("{stage:?}").to_lowercase()),
            median(&mut millis),
        );
    }
    Figure {
        name: "photo-12mp".to_owned(),
        backend: "native".to_owned(),
        value,
        unit: "ms".to_owned(),
        baseline: Some(baseline),
        target: format!(
            "median ≤ {MAX_MEDIAN_MS} ms and ≤ {MAX_TIME_RATIO} × the plain path (decode → resize Lanczos3 → JpegEncoder q 80), one core"
        ),
        met,
        details,
        notes: vec![format!(
            "{} × {} camera JPEGs (4:2:0, q 92, EXIF) → 1600 px main + 320 px thumbnail; \
             DCT-scaled libjpeg-turbo decode, fast_image_resize Lanczos3, mozjpeg encode \
             (4:4:4, flat quantisation table)",
            config.photo_size.0, config.photo_size.1
        )],
    }
}

/// The lowest quality setting (the default's…100) at which the pipeline's main file of `jpeg` reaches
/// the target PSNR, and that file's bytes (`None` when even 100 does not).
fn quality_for_psnr(
    jpeg: &[u8],
    options: &PhotoOptions,
    reference: &image::RgbImage,
) -> Result<Option<(u8, f64)>> {
    let (mut low, mut high) = (options.quality, 100u8);
    let mut found = None;
    while low <= high {
        let quality = low + (high - low) / 2;
        let processed = photo::process(
            jpeg,
            &PhotoOptions {
                quality,
                ..options.clone()
            },
            &mut |_| {},
        )?;
        if baseline::psnr(&processed.main.bytes, reference)? >= MIN_PSNR_DB {
            found = Some((quality, processed.main.bytes.len() as f64));
            high = quality - 1;
        } else {
            low = quality + 1;
        }
    }
    Ok(found)
}

fn bytes_figure(
    ours: &Measured,
    plain: &Measured,
    equal_quality: Option<Option<(u8, f64)>>,
) -> Figure {
    let value = ours.mean_bytes();
    let baseline = plain.mean_bytes();
    let ratio = value / baseline;
    let met = ratio <= MAX_BYTES_RATIO
        && ours.min_psnr() >= MIN_PSNR_DB
        && ours.max_thumbnail() <= MAX_THUMBNAIL_BYTES;
    let mut details = BTreeMap::new();
    details.insert("bytes_ratio".to_owned(), ratio);
    details.insert("psnr_db_min".to_owned(), ours.min_psnr());
    details.insert("baseline_psnr_db_min".to_owned(), plain.min_psnr());
    details.insert("psnr_luma_db_min".to_owned(), ours.min_psnr_luma());
    details.insert(
        "baseline_psnr_luma_db_min".to_owned(),
        plain.min_psnr_luma(),
    );
    if let Some(Some((quality, bytes))) = equal_quality {
        details.insert("quality_for_target_psnr".to_owned(), f64::from(quality));
        details.insert(
            "bytes_ratio_at_target_psnr".to_owned(),
            bytes / plain.main_bytes.first().copied().unwrap_or(f64::NAN),
        );
    }
    details.insert("thumbnail_bytes_max".to_owned(), ours.max_thumbnail());
    details.insert(
        "baseline_thumbnail_bytes_max".to_owned(),
        plain.max_thumbnail(),
    );
    Figure {
        name: "photo-12mp-bytes".to_owned(),
        backend: "native".to_owned(),
        value,
        unit: "bytes".to_owned(),
        baseline: Some(baseline),
        target: format!(
            "main file ≤ {MAX_BYTES_RATIO} × the plain path's bytes at ≥ {MIN_PSNR_DB} dB PSNR against a Lanczos3 reference; thumbnail ≤ {MAX_THUMBNAIL_BYTES} bytes"
        ),
        met,
        details,
        notes: vec![
            "PSNR over R, G, B of the decoded main file against the full-size decode resized \
             with the image crate's Lanczos3 (the plain path before encoding); bytes are the \
             mean over the photos; psnr_luma = the same on BT.601 luma only"
                .to_owned(),
            "quality_for_target_psnr / bytes_ratio_at_target_psnr: the lowest quality setting \
             at which the first photo's main file reaches the target PSNR, and its bytes \
             relative to the plain path's (absent when even 100 does not)"
                .to_owned(),
        ],
    }
}

fn informational(
    name: &str,
    backend: &str,
    measured: &Measured,
    plain: &Measured,
    what: &str,
) -> Figure {
    let mut millis = measured.millis.clone();
    let mut details = BTreeMap::new();
    details.insert("median_ms".to_owned(), median(&mut millis));
    details.insert(
        "bytes_ratio".to_owned(),
        measured.mean_bytes() / plain.mean_bytes(),
    );
    details.insert("psnr_db_min".to_owned(), measured.min_psnr());
    details.insert("thumbnail_bytes_max".to_owned(), measured.max_thumbnail());
    Figure {
        name: name.to_owned(),
        backend: backend.to_owned(),
        value: measured.mean_bytes(),
        unit: "bytes".to_owned(),
        baseline: Some(plain.mean_bytes()),
        target: "informational (no target)".to_owned(),
        met: true,
        details,
        notes: vec![what.to_owned()],
    }
}
