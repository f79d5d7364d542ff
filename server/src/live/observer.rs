//! The hook between the hub and the live channel: every batch that stored commits is
//! published as soon as the hub knows the feed head after them.

use wangge_sync::hub::{BatchStats, Moved, Observer};

use super::Live;
use super::signal::FeedMoved;

/// Publishes the hub's moves on a [`Live`] channel.
#[derive(Debug)]
pub struct LiveObserver {
    live: Live,
}

impl LiveObserver {
    /// Publishing on `live`.
    pub fn new(live: Live) -> Self {
        Self { live }
    }
}

impl Observer for LiveObserver {
    fn batch(&self, _stats: &BatchStats) {}

    fn moved(&self, moved: &Moved) {
        self.live.publish(FeedMoved::from(moved));
    }
}
