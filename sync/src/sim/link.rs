//! The byte counter of a link, which decides where a dropping connection cuts a message.

/// Counts the bytes that crossed the link and cuts messages at multiples of the cut period.
#[derive(Debug, Clone)]
pub(super) struct Link {
    cut_every: Option<u64>,
    crossed: u64,
}

/// How much of a message crossed the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sent {
    /// Bytes that arrived (a prefix if `cut`).
    pub(super) delivered: usize,
    /// The connection dropped during this message.
    pub(super) cut: bool,
}

impl Link {
    /// A link that drops every `cut_every` bytes (`None` or `Some(0)`: never).
    pub(super) fn new(cut_every: Option<u64>) -> Self {
        Self {
            cut_every: cut_every.filter(|&n| n > 0),
            crossed: 0,
        }
    }

    /// Changes the cut period, keeping the count of bytes crossed.
    pub(super) fn set_cut_every(&mut self, cut_every: Option<u64>) {
        self.cut_every = cut_every.filter(|&n| n > 0);
    }

    /// Sends a message of `len` bytes: it is cut if it would go strictly past the next
    /// multiple of the cut period.
    pub(super) fn send(&mut self, len: usize) -> Sent {
        let len64 = u64::try_from(len).unwrap_or(u64::MAX);
        let sent = match self.cut_every {
            Some(period) => {
                let boundary = (self.crossed / period)
                    .saturating_add(1)
                    .saturating_mul(period);
                let room = boundary.saturating_sub(self.crossed);
                if len64 > room {
                    Sent {
                        delivered: usize::try_from(room).unwrap_or(len),
                        cut: true,
                    }
                } else {
                    Sent {
                        delivered: len,
                        cut: false,
                    }
                }
            }
            None => Sent {
                delivered: len,
                cut: false,
            },
        };
        self.crossed = self
            .crossed
            .saturating_add(u64::try_from(sent.delivered).unwrap_or(u64::MAX));
        sent
    }
}
