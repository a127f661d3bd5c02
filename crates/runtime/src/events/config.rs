//! The recorder's limits and timings.

use std::time::Duration;

/// The recorder's limits and timings.
///
/// ```
/// use std::time::Duration;
/// use kubeset_runtime::events::EventRecorderConfig;
///
/// let config = EventRecorderConfig::default()
///     .queue_capacity(256)
///     .series_refresh(Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventRecorderConfig {
    /// Events waiting to be written; when full, new events are dropped (and counted).
    pub queue_capacity: usize,
    /// Series remembered for aggregation (least recently seen forgotten first; client-go's
    /// cache holds 4096).
    pub cache_capacity: usize,
    /// A repeat joins a series when it comes within this time of the previous one
    /// (client-go's 6 minutes); later, it starts a new Event object.
    pub series_window: Duration,
    /// How often counted repeats are written to their series (client-go waits 30 minutes;
    /// the first repeat is always written at once).
    pub series_refresh: Duration,
    /// Tries per write when the server fails transiently (5xx, 429, no answer).
    pub max_attempts: u32,
    /// How long one try may take.
    pub write_timeout: Duration,
}

impl Default for EventRecorderConfig {
    fn default() -> Self {
        Self {
            queue_capacity: 1024,
            cache_capacity: 4096,
            series_window: Duration::from_secs(6 * 60),
            series_refresh: Duration::from_secs(30),
            max_attempts: 3,
            write_timeout: Duration::from_secs(10),
        }
    }
}

impl EventRecorderConfig {
    /// Sets [`queue_capacity`](Self::queue_capacity).
    pub fn queue_capacity(mut self, capacity: usize) -> Self {
        self.queue_capacity = capacity;
        self
    }

    /// Sets [`cache_capacity`](Self::cache_capacity).
    pub fn cache_capacity(mut self, capacity: usize) -> Self {
        self.cache_capacity = capacity;
        self
    }

    /// Sets [`series_window`](Self::series_window).
    pub fn series_window(mut self, window: Duration) -> Self {
        self.series_window = window;
        self
    }

    /// Sets [`series_refresh`](Self::series_refresh).
    pub fn series_refresh(mut self, refresh: Duration) -> Self {
        self.series_refresh = refresh;
        self
    }

    /// Sets [`max_attempts`](Self::max_attempts).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets [`write_timeout`](Self::write_timeout).
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }
}
