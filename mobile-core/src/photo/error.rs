//! The one error type of the photo pipeline.
//!
//! Every way a picture can be refused has its own variant with a stable code (what the app
//! and the logs match on) and a message in zh-CN and English that tells the grid worker what
//! happened and what to do. Refusals happen before any large allocation: the header is read
//! and checked first ([`super::probe`]).

use thiserror::Error;
use wangge_proto::Locale;

/// Why a photo could not be processed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PhotoError {
    /// The file has no bytes at all (a failed camera capture, an empty share).
    #[error("the photo file is empty (0 bytes)")]
    Empty,
    /// The bytes are not a picture in any format the phone reads.
    #[error("the file is not a picture")]
    NotAnImage,
    /// A picture format the phone recognises but does not read (HEIC, GIF, TIFF, BMP…).
    #[error("the picture format {format} is not supported; take the photo as JPEG")]
    UnsupportedFormat {
        /// The format recognised from the file's first bytes.
        format: &'static str,
    },
    /// The file ends before the picture does (an interrupted copy or download).
    #[error("the picture file is cut short")]
    Truncated,
    /// The picture data is damaged in a way the decoder cannot read.
    #[error("the picture data is damaged: {detail}")]
    Corrupt {
        /// What the decoder reported, for the logs.
        detail: String,
    },
    /// The header claims more pixels than the phone will decode (a decompression bomb, or a
    /// panorama far beyond any camera photo).
    #[error("the picture claims {width} × {height} pixels, more than the {max_pixels} allowed")]
    TooManyPixels {
        /// Width claimed by the header.
        width: u32,
        /// Height claimed by the header.
        height: u32,
        /// The limit from [`super::PhotoOptions::max_pixels`].
        max_pixels: u64,
    },
    /// The file is larger than [`super::PhotoOptions::max_file_bytes`].
    #[error("the picture file has {bytes} bytes, more than the {max_bytes} allowed")]
    FileTooLarge {
        /// Size of the file.
        bytes: u64,
        /// The limit.
        max_bytes: u64,
    },
    /// The options cannot produce a picture (a long edge of 0, a quality above 100, …).
    #[error("invalid photo options: {0}")]
    InvalidOptions(&'static str),
    /// The requested output format needs the `native` feature, which this build lacks.
    #[error("the output format {0} is not available in this build")]
    FormatUnavailable(&'static str),
    /// Encoding the processed picture failed (a bug or out of memory, not the user's file).
    #[error("encoding the processed picture failed: {0}")]
    Encode(String),
}

impl PhotoError {
    /// The stable code of this error, e.g. `photo_truncated`.
    pub fn code(&self) -> &'static str {
        match self {
            PhotoError::Empty => "photo_empty",
            PhotoError::NotAnImage => "photo_not_an_image",
            PhotoError::UnsupportedFormat { .. } => "photo_unsupported_format",
            PhotoError::Truncated => "photo_truncated",
            PhotoError::Corrupt { .. } => "photo_corrupt",
            PhotoError::TooManyPixels { .. } => "photo_too_many_pixels",
            PhotoError::FileTooLarge { .. } => "photo_file_too_large",
            PhotoError::InvalidOptions(_) => "photo_invalid_options",
            PhotoError::FormatUnavailable(_) => "photo_format_unavailable",
            PhotoError::Encode(_) => "photo_encode_failed",
        }
    }

    /// What to show the user, in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (PhotoError::Empty, Locale::ZhCn) => "照片文件是空的（0 字节），请重新拍摄。".into(),
            (PhotoError::NotAnImage, Locale::ZhCn) => {
                "这个文件不是图片，请选择照片或重新拍摄。".into()
            }
            (PhotoError::UnsupportedFormat { format }, Locale::ZhCn) => {
                format!("不支持 {format} 格式的图片，请在相机设置中选择 JPEG 后重新拍摄。")
            }
            (PhotoError::Truncated, Locale::ZhCn) => {
                "图片文件不完整（可能复制或下载中断），请重新拍摄或重新选择。".into()
            }
            (PhotoError::Corrupt { .. }, Locale::ZhCn) => {
                "图片数据已损坏，无法读取，请重新拍摄。".into()
            }
            (
                PhotoError::TooManyPixels {
                    width,
                    height,
                    max_pixels,
                },
                Locale::ZhCn,
            ) => format!(
                "图片尺寸 {width} × {height} 超过允许的 {max_pixels} 像素，无法处理，请用相机正常拍摄。"
            ),
            (PhotoError::FileTooLarge { bytes, max_bytes }, Locale::ZhCn) => {
                format!("图片文件有 {bytes} 字节，超过允许的 {max_bytes} 字节。")
            }
            (PhotoError::InvalidOptions(what), Locale::ZhCn) => {
                format!("照片处理参数无效：{what}")
            }
            (PhotoError::FormatUnavailable(format), Locale::ZhCn) => {
                format!("此版本不支持输出 {format} 格式。")
            }
            (PhotoError::Encode(_), Locale::ZhCn) => {
                "照片处理失败（编码出错），请重试；如仍失败请联系管理员。".into()
            }
            (PhotoError::Empty, Locale::En) => {
                "The photo file is empty (0 bytes); take the photo again.".into()
            }
            (PhotoError::NotAnImage, Locale::En) => {
                "This file is not a picture; choose a photo or take one again.".into()
            }
            (PhotoError::UnsupportedFormat { format }, Locale::En) => format!(
                "{format} pictures are not supported; set the camera to JPEG and take the photo again."
            ),
            (PhotoError::Truncated, Locale::En) => {
                "The picture file is incomplete (an interrupted copy or download); take or choose it again.".into()
            }
            (PhotoError::Corrupt { .. }, Locale::En) => {
                "The picture data is damaged and cannot be read; take the photo again.".into()
            }
            (
                PhotoError::TooManyPixels {
                    width,
                    height,
                    max_pixels,
                },
                Locale::En,
            ) => format!(
                "The picture claims {width} × {height} pixels, more than the {max_pixels} allowed; take a normal camera photo."
            ),
            (PhotoError::FileTooLarge { bytes, max_bytes }, Locale::En) => {
                format!("The picture file has {bytes} bytes, more than the {max_bytes} allowed.")
            }
            (PhotoError::InvalidOptions(what), Locale::En) => {
                format!("Invalid photo processing options: {what}")
            }
            (PhotoError::FormatUnavailable(format), Locale::En) => {
                format!("This build cannot write {format} pictures.")
            }
            (PhotoError::Encode(_), Locale::En) => {
                "Processing the photo failed while encoding; try again, and tell the administrator if it keeps failing.".into()
            }
        }
    }
}
