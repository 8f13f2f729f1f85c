//! The decision log: one JSON object per line, appended.
//!
//! Each line is written whole with a single `write` call on a file opened for appending,
//! so a crash can at worst leave the last line short; every earlier line stays intact.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::decide::Decision;
use crate::review::Review;

pub struct Audit {
    out: Mutex<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Audit")
    }
}

impl Audit {
    pub fn stdout() -> Audit {
        Audit {
            out: Mutex::new(Box::new(io::stdout())),
        }
    }

    pub fn file(path: &Path) -> io::Result<Audit> {
        let f: File = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Audit {
            out: Mutex::new(Box::new(f)),
        })
    }

    pub fn record(&self, review: &Review, decision: &Decision, latency: Duration) -> io::Result<()> {
        let mut line = serde_json::to_vec(&entry(review, decision, latency))?;
        line.push(b'\n');
        let mut out = self.out.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        out.write_all(&line)?;
        out.flush()
    }
}

/// `2026-11-27T21:04:05.123Z`
pub fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let date = rampart_config::Date::from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    let tod = secs % 86_400;
    format!(
        "{date}T{:02}:{:02}:{:02}.{:03}Z",
        tod / 3600,
        tod / 60 % 60,
        tod % 60,
        d.subsec_millis()
    )
}

fn entry(review: &Review, d: &Decision, latency: Duration) -> Value {
    let findings: Vec<Value> = d
        .findings
        .iter()
        .map(|j| {
            let mut f = json!({
                "check": j.check,
                "severity": j.severity.as_str(),
                "mode": j.mode.as_str(),
                "path": j.path,
                "message": j.message,
            });
            if let Some(c) = &j.container {
                f["container"] = json!(c);
            }
            if let Some(e) = &j.excepted {
                f["excepted"] = json!(e);
            }
            if j.existing {
                f["existing"] = json!(true);
            }
            f
        })
        .collect();
    let mut v = json!({
        "time": rfc3339(SystemTime::now()),
        "uid": review.uid,
        "user": review.user,
        "groups": review.groups,
        "operation": review.operation,
        "kind": format!("{}/{}", review.kind.api_version(), review.kind.kind),
        "namespace": review.namespace,
        "name": review.name,
        "decision": d.verdict.as_str(),
        "findings": findings,
        "latencyMs": (latency.as_secs_f64() * 1e6).round() / 1e3,
    });
    if !review.sub_resource.is_empty() {
        v["subResource"] = json!(review.sub_resource);
    }
    if let Some(s) = &d.skipped {
        v["skipped"] = json!(s);
    }
    if let Some(b) = &d.break_glass {
        v["breakGlass"] = json!(b);
    }
    if let Some(m) = &d.answer.message {
        v["message"] = json!(m);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_820_645_123);
        assert_eq!(rfc3339(t), "2026-11-27T23:04:05.123Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }
}
