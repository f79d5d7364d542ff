//! What the camera wrote about the photo, read before the pixels are re-encoded without it:
//! the EXIF orientation, the capture time and the GPS position.
//!
//! Field users lose time and place when photos are scaled (getodk/collect #6009); here they
//! are read first and returned beside the stripped files, for the case document. Damaged
//! metadata is not a reason to refuse a photo: it is logged and treated as absent.

use std::io::Cursor;

use exif::{DateTime, Exif, In, Tag, Value};
use image::metadata::Orientation;
use wangge_proto::values::{GeoPoint, Timestamp};

/// When the photo was taken, as the camera recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureTime {
    /// The instant (UTC).
    pub at: Timestamp,
    /// Whether the file recorded its UTC offset, or the assumed one was used.
    pub offset: OffsetSource,
}

/// Where the UTC offset of a [`CaptureTime`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetSource {
    /// `OffsetTimeOriginal` in the file.
    Recorded,
    /// [`super::PhotoOptions::assumed_utc_offset_minutes`]: the camera wrote local time only.
    Assumed,
}

/// The metadata the pipeline keeps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Metadata {
    /// EXIF orientation (1…8; 1 when absent or invalid).
    pub exif_orientation: u8,
    pub captured_at: Option<CaptureTime>,
    pub location: Option<GeoPoint>,
}

impl Metadata {
    pub(crate) fn orientation(&self) -> Orientation {
        Orientation::from_exif(self.exif_orientation).unwrap_or(Orientation::NoTransforms)
    }
}

/// Reads the EXIF block of a JPEG, PNG or WebP file.
pub(crate) fn read(bytes: &[u8], assumed_offset_minutes: i32) -> Metadata {
    let none = Metadata {
        exif_orientation: 1,
        captured_at: None,
        location: None,
    };
    let exif = match exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) {
        Ok(exif) => exif,
        Err(exif::Error::NotFound(_)) => return none,
        Err(error) => {
            tracing::warn!(%error, "photo metadata unreadable; capture time and place unknown");
            return none;
        }
    };
    Metadata {
        exif_orientation: orientation(&exif),
        captured_at: capture_time(&exif, assumed_offset_minutes),
        location: location(&exif),
    }
}

fn orientation(exif: &Exif) -> u8 {
    exif.get_field(Tag::Orientation, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|v| u8::try_from(v).ok())
        .filter(|v| (1..=8).contains(v))
        .unwrap_or(1)
}

fn ascii(exif: &Exif, tag: Tag) -> Option<&[u8]> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Ascii(parts) => parts.first().map(Vec::as_slice),
        _ => None,
    }
}

fn capture_time(exif: &Exif, assumed_offset_minutes: i32) -> Option<CaptureTime> {
    let text = ascii(exif, Tag::DateTimeOriginal).or_else(|| ascii(exif, Tag::DateTime))?;
    let mut time = DateTime::from_ascii(text).ok()?;
    if let Some(subsec) = ascii(exif, Tag::SubSecTimeOriginal) {
        let _ = time.parse_subsec(subsec);
    }
    let offset = ascii(exif, Tag::OffsetTimeOriginal)
        .and_then(|text| time.parse_offset(text).ok())
        .and(time.offset);
    let (offset_minutes, source) = match offset {
        Some(minutes) => (i64::from(minutes), OffsetSource::Recorded),
        None => (i64::from(assumed_offset_minutes), OffsetSource::Assumed),
    };
    let valid = (1..=12).contains(&time.month)
        && (1..=31).contains(&time.day)
        && time.hour < 24
        && time.minute < 60
        && time.second < 61;
    if !valid {
        return None;
    }
    let days = days_from_civil(
        i64::from(time.year),
        i64::from(time.month),
        i64::from(time.day),
    );
    let local_secs = days * 86_400
        + i64::from(time.hour) * 3600
        + i64::from(time.minute) * 60
        + i64::from(time.second);
    let millis = (local_secs - offset_minutes * 60) * 1000
        + i64::from(time.nanosecond.unwrap_or(0) / 1_000_000);
    Some(CaptureTime {
        at: Timestamp::from_millis(millis).ok()?,
        offset: source,
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn degrees(exif: &Exif, tag: Tag) -> Option<f64> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Rational(parts) if parts.len() == 3 && parts.iter().all(|p| p.denom != 0) => {
            Some(parts[0].to_f64() + parts[1].to_f64() / 60.0 + parts[2].to_f64() / 3600.0)
        }
        _ => None,
    }
}

fn location(exif: &Exif) -> Option<GeoPoint> {
    let lat = degrees(exif, Tag::GPSLatitude)?;
    let lon = degrees(exif, Tag::GPSLongitude)?;
    let lat = match ascii(exif, Tag::GPSLatitudeRef)? {
        b"N" => lat,
        b"S" => -lat,
        _ => return None,
    };
    let lon = match ascii(exif, Tag::GPSLongitudeRef)? {
        b"E" => lon,
        b"W" => -lon,
        _ => return None,
    };
    GeoPoint::new(lat, lon).ok()
}

#[cfg(test)]
mod tests {
    use super::days_from_civil;

    #[test]
    fn civil_days_match_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2026, 11, 22), 20_779);
    }
}
