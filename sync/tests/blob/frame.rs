//! The framed PATCH body: round trips, small overhead, a pinned layout, no panics.

use proptest::prelude::*;
use wangge_sync::blob::frame::{self, Decoded, FrameStop};

#[test]
fn the_layout_is_pinned() {
    // length 5, first 4 bytes of SHA-256("hello"), then the data.
    insta::assert_snapshot!(hex::encode(frame::encode(b"hello")), @"00052cf24dba68656c6c6f");
    assert_eq!(frame::encode(&[]), Vec::<u8>::new());
}

#[test]
fn overhead_is_under_one_percent() {
    for len in [4_096, 100_000, 300_000, 5_000_000] {
        let overhead = frame::encoded_len(len) - len;
        assert!(overhead * 100 <= len, "{len}: {overhead}");
    }
}

#[test]
fn a_zero_length_frame_is_malformed() {
    let decoded = frame::decode(&[0, 0, 1, 2, 3, 4], false, 100);
    assert_eq!(decoded.stop, FrameStop::Malformed);
}

proptest! {
    #[test]
    fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..20_000)) {
        let body = frame::encode(&data);
        prop_assert_eq!(body.len(), frame::encoded_len(data.len()));
        let decoded = frame::decode(&body, false, data.len() as u64);
        prop_assert_eq!(decoded, Decoded { data, stop: FrameStop::End });
    }

    #[test]
    fn a_cut_body_yields_the_whole_frames_before_the_cut(
        data in proptest::collection::vec(any::<u8>(), 1..20_000),
        cut in any::<prop::sample::Index>(),
    ) {
        let body = frame::encode(&data);
        let at = cut.index(body.len());
        let decoded = frame::decode(&body[..at], true, u64::MAX);
        let whole = at / (frame::FRAME_DATA + frame::FRAME_HEADER);
        let kept = (whole * frame::FRAME_DATA).min(data.len());
        prop_assert_eq!(&decoded.data[..], &data[..kept]);
        prop_assert!(matches!(decoded.stop, FrameStop::Cut | FrameStop::End));
    }

    #[test]
    fn decoding_any_bytes_never_panics(
        body in proptest::collection::vec(any::<u8>(), 0..300),
        cut: bool,
        limit in 0u64..400,
    ) {
        let decoded = frame::decode(&body, cut, limit);
        prop_assert!(decoded.data.len() as u64 <= limit);
    }
}
