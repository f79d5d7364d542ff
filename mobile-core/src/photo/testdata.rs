//! Deterministic camera-like test photos (feature `testdata`): for the pipeline's tests and the
//! `photo-*` benchmark, so both measure the same pictures.
//!
//! A street scene from a seed — sky with clouds, building facades with window grids, foliage,
//! asphalt with lane marks, a sign with sharp print, sensor noise and vignetting — encoded the
//! way a phone camera does (baseline JPEG, 4:2:0, standard Huffman tables, quality ≈ 92) with
//! an EXIF block (orientation, capture time with offset, GPS, make and model). Flat gradients
//! would flatter every encoder; this has edges and texture at every scale.

// Test support: a failure here is a bug in the generator, and a panic is what a test wants.
#![allow(clippy::expect_used)]

use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use image::{Rgb, RgbImage};

/// What the camera writes into the EXIF block.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraExif {
    /// EXIF orientation 1–8, `None` for no tag.
    pub orientation: Option<u16>,
    /// `DateTimeOriginal`, "YYYY:MM:DD HH:MM:SS" local time.
    pub captured: Option<String>,
    /// `OffsetTimeOriginal`, e.g. "+08:00".
    pub offset: Option<String>,
    /// Latitude and longitude in degrees (WGS-84).
    pub gps: Option<(f64, f64)>,
}

impl Default for CameraExif {
    /// A photo taken upright in Chengdu at 2026-05-14 09:26:53 +08:00.
    fn default() -> Self {
        Self {
            orientation: Some(1),
            captured: Some("2026:05:14 09:26:53".to_owned()),
            offset: Some("+08:00".to_owned()),
            gps: Some((30.657_472, 104.065_805)),
        }
    }
}

/// Peak-to-peak sensor grain left after noise reduction, in levels.
const GRAIN: f32 = 4.0;

/// A 12 MP camera photo (4032 × 3024) of scene `seed` with the default EXIF.
pub fn camera_photo_12mp(seed: u64) -> Vec<u8> {
    camera_jpeg(&scene(4032, 3024, seed), 92, &CameraExif::default())
}

/// `image` encoded like a phone camera: baseline, 4:2:0, standard tables, with `exif`.
pub fn camera_jpeg(image: &RgbImage, quality: u8, exif: &CameraExif) -> Vec<u8> {
    let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
    compress.set_fastest_defaults();
    compress.set_size(image.width() as usize, image.height() as usize);
    compress.set_quality(f32::from(quality));
    compress.set_chroma_sampling_pixel_sizes((2, 2), (2, 2));
    let mut started = compress
        .start_compress(Vec::new())
        .expect("testdata: start JPEG");
    started
        .write_scanlines(image.as_raw())
        .expect("testdata: JPEG scanlines");
    let jpeg = started.finish().expect("testdata: finish JPEG");
    with_exif(&jpeg, exif)
}

/// `jpeg` with an APP1 EXIF segment right after its SOI marker.
pub fn with_exif(jpeg: &[u8], exif: &CameraExif) -> Vec<u8> {
    let tiff = exif_tiff(exif);
    let mut out = Vec::with_capacity(jpeg.len() + tiff.len() + 10);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xE1]);
    let length = u16::try_from(tiff.len() + 8).expect("testdata: EXIF under 64 KiB");
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// The EXIF block as TIFF bytes.
fn exif_tiff(exif: &CameraExif) -> Vec<u8> {
    let ascii = |tag, text: &str| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![text.as_bytes().to_vec()]),
    };
    let dms = |degrees: f64| {
        let degrees = degrees.abs();
        let whole = degrees.floor();
        let minutes = ((degrees - whole) * 60.0).floor();
        let seconds = ((degrees - whole) * 60.0 - minutes) * 60.0;
        Value::Rational(vec![
            Rational::from((whole as u32, 1)),
            Rational::from((minutes as u32, 1)),
            Rational::from(((seconds * 10_000.0).round() as u32, 10_000)),
        ])
    };
    let mut fields = vec![
        ascii(Tag::Make, "Wangge"),
        ascii(Tag::Model, "Patrol Cam 12"),
    ];
    if let Some(orientation) = exif.orientation {
        fields.push(Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![orientation]),
        });
    }
    if let Some(captured) = &exif.captured {
        fields.push(ascii(Tag::DateTimeOriginal, captured));
        fields.push(ascii(Tag::DateTime, captured));
    }
    if let Some(offset) = &exif.offset {
        fields.push(ascii(Tag::OffsetTimeOriginal, offset));
    }
    if let Some((lat, lon)) = exif.gps {
        fields.push(ascii(
            Tag::GPSLatitudeRef,
            if lat >= 0.0 { "N" } else { "S" },
        ));
        fields.push(Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: dms(lat),
        });
        fields.push(ascii(
            Tag::GPSLongitudeRef,
            if lon >= 0.0 { "E" } else { "W" },
        ));
        fields.push(Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: dms(lon),
        });
    }
    let mut writer = Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    writer.write(&mut out, false).expect("testdata: write EXIF");
    out.into_inner()
}

/// `image` as a PNG file.
pub fn png(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image
        .write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
        .expect("testdata: PNG");
    out
}

/// A complete, tiny JPEG (a few hundred bytes) whose frame header claims `width` × `height`:
/// a decompression bomb.
pub fn bomb_jpeg(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = camera_jpeg(
        &scene(16, 16, 1),
        50,
        &CameraExif {
            orientation: None,
            captured: None,
            offset: None,
            gps: None,
        },
    );
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("testdata: baseline frame header");
    jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

/// The codes of the metadata segments (APP0…APP15, COM) before the first scan of `jpeg`.
pub fn metadata_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pos = 2;
    while pos + 4 <= jpeg.len() && jpeg[pos] == 0xFF {
        let code = jpeg[pos + 1];
        if code == 0xDA {
            break;
        }
        if (0xE0..=0xEF).contains(&code) || code == 0xFE {
            out.push(code);
        }
        pos += 2 + usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
    }
    out
}

/// A street scene of `width` × `height` pixels from `seed`.
pub fn scene(width: u32, height: u32, seed: u64) -> RgbImage {
    let layout = Layout::new(width, height, seed);
    RgbImage::from_fn(width, height, |x, y| layout.pixel(x, y))
}

/// SplitMix64: a tiny seeded generator (no dependency, same numbers everywhere).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..high`.
    fn range(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * ((self.next() >> 40) as f32 / (1u64 << 24) as f32)
    }
}

fn hash(x: i64, y: i64, seed: u64) -> u64 {
    let mut mix = SplitMix(
        seed ^ (x as u64).wrapping_mul(0x9E37_79B9) ^ (y as u64).wrapping_mul(0x85EB_CA6B) << 1,
    );
    mix.next()
}

/// Uniform in 0.0..1.0 for a lattice point.
fn lattice(x: i64, y: i64, seed: u64) -> f32 {
    (hash(x, y, seed) >> 40) as f32 / (1u64 << 24) as f32
}

/// Smooth value noise in 0.0..1.0 with features of about `cell` pixels.
fn noise(x: f32, y: f32, cell: f32, seed: u64) -> f32 {
    let (fx, fy) = (x / cell, y / cell);
    let (ix, iy) = (fx.floor() as i64, fy.floor() as i64);
    let (tx, ty) = (fx - fx.floor(), fy - fy.floor());
    let (sx, sy) = (tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty));
    let top = lattice(ix, iy, seed) * (1.0 - sx) + lattice(ix + 1, iy, seed) * sx;
    let bottom = lattice(ix, iy + 1, seed) * (1.0 - sx) + lattice(ix + 1, iy + 1, seed) * sx;
    top * (1.0 - sy) + bottom * sy
}

struct Building {
    left: f32,
    right: f32,
    top: f32,
    colour: [f32; 3],
    window: f32,
}

struct Tree {
    x: f32,
    y: f32,
    radius: f32,
}

struct Layout {
    width: f32,
    height: f32,
    seed: u64,
    horizon: f32,
    street: f32,
    buildings: Vec<Building>,
    trees: Vec<Tree>,
    sign: [f32; 4],
}

impl Layout {
    fn new(width: u32, height: u32, seed: u64) -> Self {
        let (w, h) = (width as f32, height as f32);
        let mut rng = SplitMix(seed);
        let mut buildings = Vec::new();
        let mut x = rng.range(-0.05, 0.05) * w;
        while x < w {
            let span = rng.range(0.08, 0.22) * w;
            buildings.push(Building {
                left: x,
                right: x + span,
                top: rng.range(0.08, 0.4) * h,
                colour: [
                    rng.range(90.0, 210.0),
                    rng.range(85.0, 200.0),
                    rng.range(80.0, 190.0),
                ],
                window: rng.range(0.012, 0.025) * w,
            });
            x += span + rng.range(0.0, 0.06) * w;
        }
        let trees = (0..6)
            .map(|_| Tree {
                x: rng.range(0.0, 1.0) * w,
                y: rng.range(0.6, 0.75) * h,
                radius: rng.range(0.04, 0.1) * w,
            })
            .collect();
        let sign_x = rng.range(0.1, 0.7) * w;
        let sign_y = rng.range(0.45, 0.6) * h;
        Self {
            width: w,
            height: h,
            seed,
            horizon: 0.45 * h,
            street: 0.75 * h,
            buildings,
            trees,
            sign: [sign_x, sign_y, sign_x + 0.18 * w, sign_y + 0.06 * h],
        }
    }

    fn pixel(&self, x: u32, y: u32) -> Rgb<u8> {
        let (fx, fy) = (x as f32, y as f32);
        let scale = self.width / 4032.0;
        let colour = self.base(fx, fy, scale);
        // Vignetting and sensor noise, per channel.
        let (dx, dy) = (fx / self.width - 0.5, fy / self.height - 0.5);
        let vignette = 1.0 - 0.35 * (dx * dx + dy * dy);
        // What is left after the camera's noise reduction: mostly luma grain, a little chroma.
        let grain = hash(i64::from(x), i64::from(y), self.seed ^ 0x5E45);
        let luma = ((grain & 0xFF) as f32 / 255.0 - 0.5) * GRAIN;
        let channel = |i: usize| {
            let chroma = (((grain >> (8 + i * 8)) & 0xFF) as f32 / 255.0 - 0.5) * GRAIN / 3.0;
            (colour[i] * vignette + luma + chroma).clamp(0.0, 255.0) as u8
        };
        Rgb([channel(0), channel(1), channel(2)])
    }

    fn base(&self, x: f32, y: f32, scale: f32) -> [f32; 3] {
        let seed = self.seed;
        let [sl, st, sr, sb] = self.sign;
        if (sl..sr).contains(&x) && (st..sb).contains(&y) {
            // Print: sharp dark glyph blocks on white, with a red border.
            let border = 0.004 * self.width;
            if x - sl < border || sr - x < border || y - st < border || sb - y < border {
                return [200.0, 30.0, 35.0];
            }
            let cell = (9.0 * scale).max(2.0);
            let on = lattice((x / cell) as i64, (y / cell) as i64, seed ^ 0x516) > 0.55;
            return if on {
                [25.0, 25.0, 30.0]
            } else {
                [235.0, 235.0, 228.0]
            };
        }
        for tree in &self.trees {
            let (dx, dy) = (x - tree.x, y - tree.y);
            let wobble = 1.0 + 0.25 * (noise(x, y, 60.0 * scale, seed ^ 0x7EE) - 0.5);
            if dx * dx + dy * dy < (tree.radius * wobble).powi(2) {
                let leaves = noise(x, y, 7.0 * scale.max(0.25), seed ^ 0x1EAF);
                let shade = noise(x, y, 40.0 * scale, seed ^ 0x5AD);
                let g = 70.0 + 70.0 * leaves * (0.5 + shade);
                return [g * 0.45, g, g * 0.35];
            }
        }
        if y >= self.street {
            // Asphalt, lane dashes and a kerb line.
            let fine = noise(x, y, 5.0 * scale.max(0.34), seed ^ 0xA5);
            let coarse = noise(x, y, 80.0 * scale, seed ^ 0xA6);
            let lane = (y - self.street * 1.17).abs() < 0.006 * self.height
                && (x / (0.08 * self.width)).fract() < 0.55;
            if lane {
                return [225.0, 225.0, 215.0];
            }
            if (y - self.street).abs() < 0.004 * self.height {
                return [170.0, 170.0, 160.0];
            }
            let v = 75.0 + 18.0 * fine + 30.0 * coarse;
            return [v, v, v * 1.03];
        }
        for b in &self.buildings {
            if (b.left..b.right).contains(&x) && y >= b.top {
                let u = (x - b.left) / b.window;
                let v = (y - b.top) / (b.window * 1.4);
                let in_window =
                    u.fract() > 0.25 && u.fract() < 0.8 && v.fract() > 0.3 && v.fract() < 0.85;
                let texture = noise(x, y, 8.0 * scale.max(0.34), seed ^ 0xFAC) - 0.5;
                if in_window {
                    let lit = lattice(u as i64, v as i64, seed ^ 0x11) > 0.7;
                    let glass = 0.7 + 0.3 * noise(x, y, 30.0 * scale, seed ^ 0x61A);
                    return if lit {
                        [230.0 * glass, 205.0 * glass, 140.0 * glass]
                    } else {
                        [55.0 * glass, 70.0 * glass, 90.0 * glass]
                    };
                }
                return [
                    b.colour[0] + 14.0 * texture,
                    b.colour[1] + 14.0 * texture,
                    b.colour[2] + 14.0 * texture,
                ];
            }
        }
        if y >= self.horizon {
            // Distant hedges.
            let v = noise(x, y, 12.0 * scale, seed ^ 0x4ED);
            return [50.0 + 40.0 * v, 90.0 + 60.0 * v, 45.0 + 30.0 * v];
        }
        // Sky with clouds.
        let t = y / self.horizon;
        let sky = [110.0 + 90.0 * t, 160.0 + 60.0 * t, 225.0 + 15.0 * t];
        let cloud = (noise(x, y, 400.0 * scale, seed ^ 0xC1) * 0.6
            + noise(x, y, 90.0 * scale, seed ^ 0xC2) * 0.3
            + noise(x, y, 20.0 * scale, seed ^ 0xC3) * 0.1
            - 0.45)
            .clamp(0.0, 0.4)
            * 2.5;
        [
            sky[0] + (245.0 - sky[0]) * cloud,
            sky[1] + (245.0 - sky[1]) * cloud,
            sky[2] + (248.0 - sky[2]) * cloud,
        ]
    }
}
