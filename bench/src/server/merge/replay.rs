//! Replays a recorded [`Script`] on a hub over some store with some policy, timing the
//! upload batches, and checks the replay did exactly what the recording did.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wangge_sync::Limits;
use wangge_sync::hub::{BatchStats, Hub, HubStore, Lookups, Observer, Policy};

use super::script::{Recorder, Script};
use crate::server::cpu::process_time;
use crate::sync::Result;

/// Time spent in [`Hub::sync`] on the timed requests.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Their total, wall clock.
    pub timed: Duration,
    /// This process's CPU time during them (all threads), if known.
    pub cpu: Option<Duration>,
    /// How the timed requests' merges found their stored cases: loaded in the hub's cache,
    /// or loaded from the store's bytes.
    pub hot: Lookups,
}

/// Runs every request of `script` through a hub over `store` checking with `policy`.
pub async fn replay<S: HubStore, P: Policy>(
    store: S,
    policy: P,
    script: &Script,
) -> Result<Timing> {
    let recorder = Arc::new(Recorder::default());
    let observer: Arc<dyn Observer> = recorder.clone();
    let hub = Hub::new(store, policy, Limits::default()).with_observer(observer);
    let mut timed = Duration::ZERO;
    let mut cpu = Some(Duration::ZERO);
    for step in &script.steps {
        let cpu_start = process_time();
        let start = Instant::now();
        hub.sync(&script.sessions[step.who], &step.request).await?;
        if step.timed {
            timed += start.elapsed();
            cpu = match (cpu, cpu_start, process_time()) {
                (Some(sum), Some(start), Some(end)) => Some(sum + end.saturating_sub(start)),
                _ => None,
            };
        }
    }
    let seen = recorder.take();
    let mut hot = Lookups::default();
    for (stats, _) in seen.iter().zip(&script.steps).filter(|(_, s)| s.timed) {
        hot += stats.hot;
    }
    // What was merged must be what was recorded; how the cache served it, and whether a
    // case's shadow judged it, are figures of their own (a store that hands back other bytes
    // than it was given misses, and is slower).
    let outcome = |stats: &BatchStats| BatchStats {
        hot: Lookups::default(),
        served: Lookups::default(),
        shadowed: 0,
        ..*stats
    };
    let differs = |(a, b): (&BatchStats, &BatchStats)| outcome(a) != outcome(b);
    if seen.len() != script.expected.len() || seen.iter().zip(&script.expected).any(differs) {
        let first = seen
            .iter()
            .zip(&script.expected)
            .position(differs)
            .unwrap_or(seen.len().min(script.expected.len()));
        return Err(format!(
            "the replay diverged from the recording at request {first}: {:?} instead of {:?}",
            seen.get(first),
            script.expected.get(first)
        )
        .into());
    }
    Ok(Timing { timed, cpu, hot })
}
