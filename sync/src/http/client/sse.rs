//! A `text/event-stream` parser, after the WHATWG HTML "server-sent events" interpretation
//! rules: lines end in CRLF, LF or CR (also split across chunks), `:` starts a comment,
//! `field: value` loses one leading space, `data` lines join with `\n`, an empty line
//! dispatches, an event without data is dropped. Only what the live channel needs: `id`
//! and `retry` are read and ignored.

/// What a stream said, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Frame {
    /// A comment line (keep-alive), without the `:`.
    Comment(String),
    /// A dispatched event: its `event` name (`message` if none) and its data.
    Event {
        /// The event type.
        name: String,
        /// The data lines joined with `\n`.
        data: String,
    },
}

/// A line longer than this is not a live event: the stream is not ours (a proxy's page).
const MAX_LINE: usize = 64 * 1024;

/// The parser's state between chunks.
#[derive(Debug, Default)]
pub(super) struct Parser {
    line: Vec<u8>,
    /// The previous chunk ended in CR: an LF at the start of the next one ends nothing.
    after_cr: bool,
    /// A line has been read (a byte order mark before the first one is skipped).
    started: bool,
    name: String,
    data: String,
    has_data: bool,
}

/// The stream is not an event stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TooLong;

impl Parser {
    /// Feeds one chunk; the frames it completes.
    pub(super) fn feed(&mut self, chunk: &[u8]) -> Result<Vec<Frame>, TooLong> {
        let mut frames = Vec::new();
        for &byte in chunk {
            let after_cr = std::mem::take(&mut self.after_cr);
            match byte {
                b'\n' if after_cr => {}
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    let line = std::mem::take(&mut self.line);
                    let line = String::from_utf8_lossy(&line);
                    // The byte order mark may arrive split over chunks: strip it from the
                    // whole first line.
                    let line = if std::mem::replace(&mut self.started, true) {
                        &line
                    } else {
                        line.strip_prefix('\u{feff}').unwrap_or(&line)
                    };
                    if let Some(frame) = self.line_done(line) {
                        frames.push(frame);
                    }
                }
                _ => {
                    if self.line.len() >= MAX_LINE {
                        return Err(TooLong);
                    }
                    self.line.push(byte);
                }
            }
        }
        Ok(frames)
    }

    fn line_done(&mut self, line: &str) -> Option<Frame> {
        if line.is_empty() {
            let name = std::mem::take(&mut self.name);
            let data = std::mem::take(&mut self.data);
            if !std::mem::take(&mut self.has_data) {
                return None;
            }
            let name = if name.is_empty() {
                "message".to_owned()
            } else {
                name
            };
            return Some(Frame::Event { name, data });
        }
        if let Some(comment) = line.strip_prefix(':') {
            return Some(Frame::Comment(
                comment.strip_prefix(' ').unwrap_or(comment).to_owned(),
            ));
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => value.clone_into(&mut self.name),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, data: &str) -> Frame {
        Frame::Event {
            name: name.into(),
            data: data.into(),
        }
    }

    fn parse_in_pieces(text: &str, size: usize) -> Vec<Frame> {
        let mut parser = Parser::default();
        text.as_bytes()
            .chunks(size)
            .flat_map(|c| parser.feed(c).unwrap())
            .collect()
    }

    #[test]
    fn events_comments_and_line_endings_parse_alike_in_any_chunking() {
        let text = "\u{feff}: keep-alive\r\nevent: moved\r\ndata: {\"cursor\":3}\r\n\r\n\
                    event:resync\rdata:{}\r\r\
                    data: a\ndata:  b\nid: 7\nretry: 100\n\n\
                    event: nodata\n\n";
        let expected = vec![
            Frame::Comment("keep-alive".into()),
            event("moved", "{\"cursor\":3}"),
            event("resync", "{}"),
            event("message", "a\n b"),
        ];
        for size in [1, 2, 3, 7, text.len()] {
            assert_eq!(parse_in_pieces(text, size), expected, "chunks of {size}");
        }
    }

    #[test]
    fn an_event_is_only_dispatched_by_its_blank_line() {
        let mut parser = Parser::default();
        assert_eq!(parser.feed(b"event: moved\ndata: {}\n").unwrap(), vec![]);
        assert_eq!(parser.feed(b"\n").unwrap(), vec![event("moved", "{}")]);
    }

    #[test]
    fn a_stream_without_line_ends_is_refused() {
        let mut parser = Parser::default();
        let page = vec![b'x'; MAX_LINE + 1];
        assert_eq!(parser.feed(&page), Err(TooLong));
    }
}
