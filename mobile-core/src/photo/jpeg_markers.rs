//! A walk over a JPEG's marker segments, without decoding anything: the frame size a header
//! claims, and whether the file reaches its end-of-image marker.
//!
//! The walk allocates nothing, so a 600-byte file claiming 60000 × 60000 pixels is refused
//! in microseconds, before any decoder sees it (libjpeg has no limits of its own, and the
//! image crate's default limits let a 12000 × 12000 claim allocate 417 MB). It also tells a
//! cut-short file from a complete one: both decoders silently fill a truncated file's
//! missing rows with grey.

/// What the walk found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JpegLayout {
    /// The frame (SOFn) size, when a frame header was reached.
    pub frame: Option<(u32, u32)>,
    /// Whether the end-of-image marker follows the entropy-coded data.
    pub complete: bool,
}

/// Why the walk stopped on a malformed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed(pub &'static str);

/// Walks the markers of `bytes`, which start with SOI (FF D8).
pub(crate) fn walk(bytes: &[u8]) -> Result<JpegLayout, Malformed> {
    let mut layout = JpegLayout {
        frame: None,
        complete: false,
    };
    let mut seen_scan = false;
    let mut pos = 2;
    loop {
        // A marker: 0xFF, optional fill bytes 0xFF, then the code.
        let Some(&first) = bytes.get(pos) else {
            return Ok(layout);
        };
        if first != 0xFF {
            return Err(Malformed("expected a marker"));
        }
        while bytes.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&code) = bytes.get(pos) else {
            return Ok(layout);
        };
        pos += 1;
        match code {
            0xD9 => {
                if layout.frame.is_none() || !seen_scan {
                    return Err(Malformed("end of image before any scan"));
                }
                layout.complete = true;
                return Ok(layout);
            }
            0xD8 => return Err(Malformed("a second start of image")),
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let Some(length) = bytes.get(pos..pos + 2) else {
            return Ok(layout);
        };
        let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
        if length < 2 {
            return Err(Malformed("segment length below 2"));
        }
        let Some(segment) = bytes.get(pos + 2..pos + length) else {
            return Ok(layout);
        };
        pos += length;
        match code {
            // SOF0…SOF15, except DHT (C4), JPG (C8) and DAC (CC).
            0xC0..=0xCF if !matches!(code, 0xC4 | 0xC8 | 0xCC) => {
                if layout.frame.is_some() {
                    return Err(Malformed("a second frame header"));
                }
                if segment.len() < 6 {
                    return Err(Malformed("frame header too short"));
                }
                let height = u32::from(u16::from_be_bytes([segment[1], segment[2]]));
                let width = u32::from(u16::from_be_bytes([segment[3], segment[4]]));
                if width == 0 || height == 0 {
                    return Err(Malformed("frame of zero width or height"));
                }
                layout.frame = Some((width, height));
            }
            0xDA => {
                if layout.frame.is_none() {
                    return Err(Malformed("scan before the frame header"));
                }
                seen_scan = true;
                pos = skip_entropy_data(bytes, pos);
            }
            _ => {}
        }
    }
}

/// The position of the first marker after entropy-coded data starting at `pos` (stuffed
/// zero bytes and restart markers are part of the data), or the end of `bytes`.
fn skip_entropy_data(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(offset) = bytes
        .get(pos..)
        .and_then(|rest| rest.iter().position(|&b| b == 0xFF))
    {
        pos += offset;
        match bytes.get(pos + 1) {
            Some(0x00 | 0xD0..=0xD7 | 0xFF) => pos += 1,
            Some(_) => return pos,
            None => return bytes.len(),
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(code: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, code];
        out.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    fn file(width: u16, height: u16, data: &[u8], eoi: bool) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        out.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        let mut sof = vec![8];
        sof.extend_from_slice(&height.to_be_bytes());
        sof.extend_from_slice(&width.to_be_bytes());
        sof.extend_from_slice(&[1, 1, 0x11, 0]);
        out.extend(segment(0xC0, &sof));
        out.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        out.extend_from_slice(data);
        if eoi {
            out.extend_from_slice(&[0xFF, 0xD9]);
        }
        out
    }

    #[test]
    fn reads_the_frame_and_the_end() {
        let layout = walk(&file(640, 480, &[1, 0xFF, 0, 2, 0xFF, 0xD3, 4], true)).unwrap();
        assert_eq!(layout.frame, Some((640, 480)));
        assert!(layout.complete);
    }

    #[test]
    fn a_missing_end_is_incomplete() {
        let layout = walk(&file(60000, 60000, &[1, 2, 3], false)).unwrap();
        assert_eq!(layout.frame, Some((60000, 60000)));
        assert!(!layout.complete);
        let cut = file(640, 480, &[], false);
        let layout = walk(&cut[..20]).unwrap();
        assert_eq!(
            layout,
            JpegLayout {
                frame: None,
                complete: false
            }
        );
    }

    #[test]
    fn garbage_between_markers_is_malformed() {
        let mut bytes = vec![0xFF, 0xD8, 0x12, 0x34];
        bytes.extend(segment(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
        assert!(walk(&bytes).is_err());
    }
}
