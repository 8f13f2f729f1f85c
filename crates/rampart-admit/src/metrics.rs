//! Counters and the latency histogram, served in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Debug, Default)]
pub struct Metrics {
    /// Reviews answered, by (decision, kind, dry run).
    requests: Mutex<BTreeMap<(String, String, bool), u64>>,
    /// Requests refused before a review could be read, by HTTP status.
    rejected: Mutex<BTreeMap<u16, u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    pub break_glass: AtomicU64,
    pub config_reloads: AtomicU64,
    pub config_reload_errors: AtomicU64,
    pub config_last_reload_ok: AtomicU64,
    pub certificate_reloads: AtomicU64,
    pub certificate_reload_errors: AtomicU64,
    pub connections: AtomicU64,
}

impl Metrics {
    pub fn new() -> Metrics {
        let m = Metrics::default();
        m.config_last_reload_ok.store(1, Ordering::Relaxed);
        m
    }

    pub fn review(&self, decision: &str, kind: &str, dry_run: bool, latency: Duration) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((decision.to_string(), kind.to_string(), dry_run))
                .or_default() += 1;
        }
        let secs = latency.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(
            u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    pub fn rejected(&self, status: u16) {
        if let Ok(mut r) = self.rejected.lock() {
            *r.entry(status).or_default() += 1;
        }
    }

    /// The Prometheus text exposition (format version 0.0.4).
    pub fn render(&self) -> String {
        let mut s = String::new();
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        s.push_str(
            "# HELP rampart_admission_requests_total Admission reviews answered, by decision and kind.\n",
        );
        s.push_str("# TYPE rampart_admission_requests_total counter\n");
        if let Ok(r) = self.requests.lock() {
            for ((decision, kind, dry_run), n) in r.iter() {
                let _ = writeln!(
                    s,
                    "rampart_admission_requests_total{{decision=\"{decision}\",kind=\"{}\",dry_run=\"{dry_run}\"}} {n}",
                    escape(kind)
                );
            }
        }
        s.push_str("# HELP rampart_admission_rejected_requests_total Requests refused before a review could be read, by HTTP status.\n");
        s.push_str("# TYPE rampart_admission_rejected_requests_total counter\n");
        if let Ok(r) = self.rejected.lock() {
            for (code, n) in r.iter() {
                let _ = writeln!(
                    s,
                    "rampart_admission_rejected_requests_total{{code=\"{code}\"}} {n}"
                );
            }
        }
        s.push_str("# HELP rampart_admission_request_duration_seconds Time to judge a review, from the end of the request to the response.\n");
        s.push_str("# TYPE rampart_admission_request_duration_seconds histogram\n");
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                s,
                "rampart_admission_request_duration_seconds_bucket{{le=\"{b}\"}} {}",
                get(&self.buckets[i])
            );
        }
        let count = get(&self.count);
        let _ = writeln!(
            s,
            "rampart_admission_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        #[allow(clippy::cast_precision_loss)]
        let sum = get(&self.sum_micros) as f64 / 1e6;
        let _ = writeln!(s, "rampart_admission_request_duration_seconds_sum {sum}");
        let _ = writeln!(s, "rampart_admission_request_duration_seconds_count {count}");
        for (name, help, kind, value) in [
            (
                "rampart_admission_break_glass_total",
                "Objects let through by the break-glass annotation.",
                "counter",
                &self.break_glass,
            ),
            (
                "rampart_admission_config_reloads_total",
                "Configuration files loaded after a change.",
                "counter",
                &self.config_reloads,
            ),
            (
                "rampart_admission_config_reload_errors_total",
                "Changed configuration files that were refused (the previous configuration stays).",
                "counter",
                &self.config_reload_errors,
            ),
            (
                "rampart_admission_config_last_reload_successful",
                "1 when the configuration file in place is the one in use.",
                "gauge",
                &self.config_last_reload_ok,
            ),
            (
                "rampart_admission_certificate_reloads_total",
                "Certificate and key pairs loaded after a change.",
                "counter",
                &self.certificate_reloads,
            ),
            (
                "rampart_admission_certificate_reload_errors_total",
                "Changed certificate or key files that could not be loaded (the previous pair stays).",
                "counter",
                &self.certificate_reload_errors,
            ),
            (
                "rampart_admission_open_connections",
                "Connections open now.",
                "gauge",
                &self.connections,
            ),
        ] {
            let _ = writeln!(
                s,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}",
                get(value)
            );
        }
        s
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
