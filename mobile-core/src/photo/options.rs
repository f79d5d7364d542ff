//! What the pipeline makes of a photo: sizes, format, quality, and the limits that refuse
//! decompression bombs before any large allocation.

use super::PhotoError;

/// How the stored main picture is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// JPEG (the default): every phone, browser and the server's checker reads it.
    Jpeg,
    /// Lossy WebP (needs the `native` feature): measured as an alternative, not the default.
    WebP,
}

impl OutputFormat {
    /// The format's name, e.g. for errors.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Jpeg => "JPEG",
            OutputFormat::WebP => "WebP",
        }
    }
}

/// Which codecs run the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// libjpeg-turbo/mozjpeg: JPEGs decoded at a reduced scale in the DCT, written with
    /// trellis quantisation; WebP through libwebp. The default when built with `native`.
    Native,
    /// Pure Rust (the image crate's decoders and JPEG encoder), for builds without a C
    /// compiler. Slower, larger files, the same API.
    Portable,
}

impl Engine {
    /// The best engine this build has.
    pub fn best() -> Self {
        if cfg!(feature = "native") {
            Engine::Native
        } else {
            Engine::Portable
        }
    }
}

/// Settings of [`super::process`].
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoOptions {
    /// Longest edge of the main picture in pixels (never upscaled). Default 1600.
    pub long_edge: u32,
    /// Longest edge of the thumbnail. Default 320.
    pub thumbnail_edge: u32,
    /// The thumbnail's byte budget; its quality is lowered until it fits. Default 8 KiB.
    pub thumbnail_max_bytes: usize,
    /// Encoding quality of the main picture, 1–100. Default 65. On the native engine's JPEG it
    /// scales a flat quantisation table (65: a step of 11 for every coefficient, 4:4:4), the
    /// lowest setting whose main file keeps ≥ 39.5 dB RGB PSNR against a Lanczos3 reference
    /// on the `photo-12mp-bytes` benchmark's photos (39.9 dB at 0.96 × the plain path's
    /// bytes; 62, a step of 12, gives 39.2 dB). WebP and the portable engine read it as their
    /// encoder's usual quality scale.
    pub quality: u8,
    /// Format of the main picture. Default JPEG. The thumbnail is always JPEG.
    pub format: OutputFormat,
    /// Codecs to use. Default [`Engine::best`].
    pub engine: Engine,
    /// Most pixels a header may claim (width × height). Default 50 million: every phone
    /// camera's full-resolution JPEG, and far less than a bomb.
    pub max_pixels: u64,
    /// Largest file accepted. Default 40 MB.
    pub max_file_bytes: u64,
    /// UTC offset assumed for an EXIF capture time that carries none, in minutes.
    /// Default +480 (China Standard Time).
    pub assumed_utc_offset_minutes: i32,
}

impl Default for PhotoOptions {
    fn default() -> Self {
        Self {
            long_edge: 1600,
            thumbnail_edge: 320,
            thumbnail_max_bytes: 8 * 1024,
            quality: 65,
            format: OutputFormat::Jpeg,
            engine: Engine::best(),
            max_pixels: 50_000_000,
            max_file_bytes: 40_000_000,
            assumed_utc_offset_minutes: 8 * 60,
        }
    }
}

impl PhotoOptions {
    /// Refuses options that cannot produce a picture (`photo_invalid_options`, or
    /// `photo_format_unavailable`); [`process`](super::process) checks them first too.
    pub fn check(&self) -> Result<(), PhotoError> {
        if self.long_edge == 0 || self.thumbnail_edge == 0 {
            return Err(PhotoError::InvalidOptions("edges must be at least 1 pixel"));
        }
        if self.thumbnail_edge > self.long_edge {
            return Err(PhotoError::InvalidOptions(
                "the thumbnail edge must not exceed the long edge",
            ));
        }
        if !(1..=100).contains(&self.quality) {
            return Err(PhotoError::InvalidOptions("quality must be within 1…100"));
        }
        if self.max_pixels == 0 || self.max_file_bytes == 0 {
            return Err(PhotoError::InvalidOptions("limits must be positive"));
        }
        if !(-14 * 60..=14 * 60).contains(&self.assumed_utc_offset_minutes) {
            return Err(PhotoError::InvalidOptions(
                "the assumed UTC offset must be within ±14 hours",
            ));
        }
        if self.format == OutputFormat::WebP && self.engine == Engine::Portable {
            return Err(PhotoError::FormatUnavailable("WebP"));
        }
        if self.engine == Engine::Native && !cfg!(feature = "native") {
            return Err(PhotoError::InvalidOptions(
                "the native engine is not in this build",
            ));
        }
        Ok(())
    }
}
