//! Progress reports: the app shows a bar while a photo is processed off its thread.
//!
//! Stages come in a fixed order and `fraction` never goes back; the last report is always
//! [`Stage::Done`] at 1.0 (only on success: an error is the result, not a report).

/// A step of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Reading the header, the limits and the metadata.
    Probe,
    /// Decoding the pixels.
    Decode,
    /// Resizing and orienting.
    Resize,
    /// Encoding the main picture.
    Encode,
    /// Making the thumbnail.
    Thumbnail,
    /// Finished.
    Done,
}

/// One progress report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// The step that starts now (or has finished, for [`Stage::Done`]).
    pub stage: Stage,
    /// Work done so far, 0.0…1.0.
    pub fraction: f32,
}

/// Sends reports to the caller's callback, never backwards.
pub(crate) struct Reporter<'a> {
    callback: &'a mut dyn FnMut(Progress),
    last: f32,
}

impl<'a> Reporter<'a> {
    pub(crate) fn new(callback: &'a mut dyn FnMut(Progress)) -> Self {
        Self {
            callback,
            last: 0.0,
        }
    }

    /// Reports that `stage` starts, at `fraction` of the whole work.
    pub(crate) fn report(&mut self, stage: Stage, fraction: f32) {
        let fraction = fraction.clamp(self.last, 1.0);
        self.last = fraction;
        (self.callback)(Progress { stage, fraction });
    }
}
