//! Every bad input gets its own error, with a code and a message in both languages.

use wangge_mobile::photo::testdata::{CameraExif, bomb_jpeg, camera_jpeg, png, scene};
use wangge_mobile::photo::{OutputFormat, PhotoError, PhotoOptions};
use wangge_proto::Locale;

use super::{engines, options, process};

fn refused(bytes: &[u8]) -> Vec<PhotoError> {
    engines()
        .into_iter()
        .map(|engine| process(bytes, &options(engine)).unwrap_err())
        .collect()
}

fn assert_refused(bytes: &[u8], want: &PhotoError, code: &str) {
    for error in refused(bytes) {
        assert_eq!(&error, want);
        assert_eq!(error.code(), code);
        let zh = error.message(Locale::ZhCn);
        let en = error.message(Locale::En);
        assert!(!zh.is_empty() && !en.is_empty() && zh != en, "{zh} / {en}");
    }
}

#[test]
fn an_empty_file_is_empty() {
    assert_refused(&[], &PhotoError::Empty, "photo_empty");
}

#[test]
fn text_and_noise_are_not_images() {
    assert_refused(
        "巡查记录：东门垃圾堆放，已拍照。".as_bytes(),
        &PhotoError::NotAnImage,
        "photo_not_an_image",
    );
    let noise: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_refused(&noise, &PhotoError::NotAnImage, "photo_not_an_image");
}

#[test]
fn heic_is_recognised_and_refused() {
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    assert_refused(
        &heic,
        &PhotoError::UnsupportedFormat { format: "HEIC" },
        "photo_unsupported_format",
    );
}

#[test]
fn gif_tiff_and_bmp_are_named_in_their_refusal() {
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&(54u32 + 4 * 4 * 3).to_le_bytes());
    bmp.extend_from_slice(&[0, 0, 0, 0]);
    bmp.extend_from_slice(&54u32.to_le_bytes());
    bmp.extend_from_slice(&40u32.to_le_bytes());
    bmp.resize(54 + 4 * 4 * 3, 0x80);
    let files: [(&[u8], &str); 3] = [
        (b"GIF89a\x04\x00\x04\x00\x80\x00\x00", "GIF"),
        (b"II*\x00\x08\x00\x00\x00", "TIFF"),
        (&bmp, "BMP"),
    ];
    for (bytes, format) in files {
        assert_refused(
            bytes,
            &PhotoError::UnsupportedFormat { format },
            "photo_unsupported_format",
        );
    }
    // Starting with "BM" alone does not make a file a BMP.
    assert_refused(
        b"BM: meeting notes, not a picture",
        &PhotoError::NotAnImage,
        "photo_not_an_image",
    );
}

#[test]
fn truncated_jpegs_are_truncated() {
    let jpeg = camera_jpeg(&scene(800, 600, 13), 92, &CameraExif::default());
    for cut in [jpeg.len() - 2, jpeg.len() * 3 / 5, jpeg.len() / 10, 300, 2] {
        assert_refused(&jpeg[..cut], &PhotoError::Truncated, "photo_truncated");
    }
}

#[test]
fn a_truncated_png_is_refused() {
    let picture = png(&scene(400, 300, 14));
    for error in refused(&picture[..picture.len() / 2]) {
        assert!(
            matches!(error, PhotoError::Truncated | PhotoError::Corrupt { .. }),
            "{error:?}"
        );
    }
}

#[test]
fn decompression_bombs_are_refused_from_the_header() {
    for (side, file) in [
        (60_000u32, bomb_jpeg(60_000, 60_000)),
        (12_000, bomb_jpeg(12_000, 12_000)),
    ] {
        assert!(file.len() < 1000, "a tiny file: {}", file.len());
        assert_refused(
            &file,
            &PhotoError::TooManyPixels {
                width: side,
                height: side,
                max_pixels: 50_000_000,
            },
            "photo_too_many_pixels",
        );
    }
}

#[test]
fn a_damaged_frame_header_is_corrupt() {
    let mut jpeg = camera_jpeg(&scene(320, 240, 15), 92, &CameraExif::default());
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    // A frame length of 1 cannot be.
    jpeg[sof + 2] = 0;
    jpeg[sof + 3] = 1;
    for error in refused(&jpeg) {
        assert_eq!(error.code(), "photo_corrupt", "{error:?}");
    }
}

#[test]
fn limits_and_options_are_enforced() {
    let jpeg = camera_jpeg(&scene(640, 480, 16), 92, &CameraExif::default());
    let small = PhotoOptions {
        max_file_bytes: 1000,
        ..PhotoOptions::default()
    };
    let error = process(&jpeg, &small).unwrap_err();
    assert_eq!(error.code(), "photo_file_too_large");
    let few_pixels = PhotoOptions {
        max_pixels: 640 * 480 - 1,
        ..PhotoOptions::default()
    };
    let error = process(&jpeg, &few_pixels).unwrap_err();
    assert_eq!(error.code(), "photo_too_many_pixels");
    let bad = PhotoOptions {
        long_edge: 0,
        ..PhotoOptions::default()
    };
    assert_eq!(
        process(&jpeg, &bad).unwrap_err().code(),
        "photo_invalid_options"
    );
    let portable_webp = PhotoOptions {
        format: OutputFormat::WebP,
        ..options(wangge_mobile::photo::Engine::Portable)
    };
    assert_eq!(
        process(&jpeg, &portable_webp).unwrap_err().code(),
        "photo_format_unavailable"
    );
}
