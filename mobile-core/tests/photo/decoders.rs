//! Every file the pipeline writes decodes alike in two independent decoders: libjpeg-turbo
//! (mozjpeg) and zune-jpeg (inside the image crate), which silently mis-decodes some valid
//! 4:2:0 files (zune-image #419/#422). A garbage decode differs by far more than a level.
//! The native engine writes both chroma layouts — the main picture 4:4:4, the thumbnail 4:2:0
//! — and the test checks it sees both.

use std::collections::BTreeSet;

use wangge_mobile::photo::testdata::{CameraExif, camera_jpeg, scene};

use super::{decode, engines, options, process};

/// Decodes with libjpeg-turbo at full scale.
fn decode_libjpeg(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decompress = mozjpeg::Decompress::new_mem(bytes).unwrap();
    let mut started = decompress.rgb().unwrap();
    let (w, h) = (started.width(), started.height());
    let pixels: Vec<u8> = started.read_scanlines().unwrap();
    started.finish().unwrap();
    (u32::try_from(w).unwrap(), u32::try_from(h).unwrap(), pixels)
}

/// How many luma samples share one chroma sample, across and down: (1, 1) is 4:4:4, (2, 2)
/// 4:2:0.
fn chroma_subsampling(bytes: &[u8]) -> (i32, i32) {
    let decompress = mozjpeg::Decompress::new_mem(bytes).unwrap();
    let components = decompress.components();
    (
        components[0].h_samp_factor / components[1].h_samp_factor,
        components[0].v_samp_factor / components[1].v_samp_factor,
    )
}

#[test]
fn stored_files_decode_alike_in_libjpeg_and_zune() {
    let mut layouts = BTreeSet::new();
    for (seed, (w, h)) in [(18, (2400, 1800)), (19, (1800, 2400)), (20, (1000, 700))] {
        let jpeg = camera_jpeg(&scene(w, h, seed), 92, &CameraExif::default());
        for engine in engines() {
            let photo = process(&jpeg, &options(engine)).unwrap();
            for file in [&photo.main.bytes, &photo.thumbnail.bytes] {
                layouts.insert(chroma_subsampling(file));
                let zune = decode(file);
                let (lw, lh, libjpeg) = decode_libjpeg(file);
                assert_eq!(zune.dimensions(), (lw, lh));
                let diffs: Vec<u8> = zune
                    .as_raw()
                    .iter()
                    .zip(&libjpeg)
                    .map(|(a, b)| a.abs_diff(*b))
                    .collect();
                let max = diffs.iter().copied().max().unwrap();
                let within_one =
                    diffs.iter().filter(|&&d| d <= 1).count() as f64 / diffs.len() as f64;
                let mean = diffs.iter().map(|&d| f64::from(d)).sum::<f64>() / diffs.len() as f64;
                // Two correct decoders round their IDCTs and chroma upsampling differently
                // (measured: ≈ 95 % of samples equal, the rest mostly ±1–2, at most 5 on
                // 4:2:0); a garbage decode differs by tens of levels almost everywhere.
                assert!(
                    max <= 8 && within_one >= 0.9 && mean < 0.5,
                    "{engine:?} seed {seed}: max difference {max}, {:.2} % within one level, mean {mean:.3}",
                    within_one * 100.0
                );
            }
        }
    }
    assert!(
        layouts.contains(&(1, 1)) && layouts.contains(&(2, 2)),
        "both chroma layouts written and compared: {layouts:?}"
    );
}
