//! Severities: CVSS base scores computed from the vectors of a record, and the ratings
//! distributions and databases give in their own words (Debian urgency, Ubuntu priority,
//! AlmaLinux and Red Hat impact, GitHub's severity).

use std::str::FromStr as _;

use serde::{Deserialize, Serialize};

use crate::osv::{Affected, Record, SeverityEntry};

/// A severity level. Ordered from least to most severe; `Unknown` sorts lowest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Unknown,
    /// Debian `unimportant`, Ubuntu `negligible`: kept, hidden by default.
    Negligible,
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Negligible => "negligible",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// The CVSS v3/v4 qualitative rating of a base score.
    pub fn from_score(score: f64) -> Level {
        if score >= 9.0 {
            Self::Critical
        } else if score >= 7.0 {
            Self::High
        } else if score >= 4.0 {
            Self::Medium
        } else if score > 0.0 {
            Self::Low
        } else {
            Self::Unknown
        }
    }
}

/// One severity statement about an advisory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    pub level: Level,
    /// Who says so: `CVSS_V3`, `CVSS_V4`, `CVSS_V2`, or the rating's origin
    /// (`Ubuntu`, `Debian`, `AlmaLinux`, `GitHub` ...).
    pub source: String,
    /// The CVSS base score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The CVSS vector, or the rating in the distribution's own words.
    pub text: String,
}

impl Severity {
    pub fn is_cvss(&self) -> bool {
        self.source.starts_with("CVSS_")
    }
}

/// The CVSS base score of a vector (`CVSS:3.1/AV:N/...`, `CVSS:4.0/...`, or a v2 vector).
/// `None` when the vector does not parse.
/// The cvss crate scores a vector with missing base metrics as if they were absent
/// (`CVSS:3.1/AV:N` scores 0.0), so every base metric is required here.
pub fn cvss_base_score(vector: &str) -> Option<f64> {
    let vector = vector.trim();
    let required: &[&str] = if vector.starts_with("CVSS:3.") {
        &["AV", "AC", "PR", "UI", "S", "C", "I", "A"]
    } else if vector.starts_with("CVSS:4.") {
        &["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"]
    } else {
        &["AV", "AC", "Au", "C", "I", "A"]
    };
    let present: Vec<&str> = vector
        .split('/')
        .filter_map(|m| m.split_once(':').map(|(k, _)| k))
        .collect();
    if !required.iter().all(|r| present.contains(r)) {
        return None;
    }
    if vector.starts_with("CVSS:3.") {
        return cvss::v3::Vector::from_str(vector)
            .ok()
            .map(|v| v.base_score().value());
    }
    if vector.starts_with("CVSS:4.") {
        return cvss::v4::Vector::from_str(vector).ok().map(|v| v.score().value());
    }
    cvss::v2::Vector::from_str(vector).ok().map(|v| v.score().value())
}

/// Maps a rating word to a level: `critical`, `high`/`important`, `medium`/`moderate`,
/// `low`, `negligible`/`unimportant`. Debian's trailing `*` marks are ignored.
pub fn level_from_rating(rating: &str) -> Option<Level> {
    let r = rating.trim().trim_end_matches('*').trim().to_ascii_lowercase();
    Some(match r.as_str() {
        "critical" => Level::Critical,
        "high" | "important" => Level::High,
        "medium" | "moderate" => Level::Medium,
        "low" => Level::Low,
        "negligible" | "unimportant" => Level::Negligible,
        "unknown" | "not yet assigned" | "untriaged" | "" => Level::Unknown,
        _ => return None,
    })
}

fn entry_severity(e: &SeverityEntry) -> Option<Severity> {
    let kind = e.kind.trim();
    if kind.starts_with("CVSS_") {
        let score = cvss_base_score(&e.score)?;
        return Some(Severity {
            level: Level::from_score(score),
            source: kind.to_owned(),
            score: Some(score),
            text: e.score.clone(),
        });
    }
    // Other types are ratings in words (`Ubuntu`: `medium`).
    Some(Severity {
        level: level_from_rating(&e.score)?,
        source: kind.to_owned(),
        score: None,
        text: e.score.clone(),
    })
}

fn rating_in(value: Option<&serde_json::Value>, keys: &[&str], source: &str) -> Option<Severity> {
    let obj = value?.as_object()?;
    keys.iter().find_map(|k| {
        let text = obj.get(*k)?.as_str()?;
        Some(Severity {
            level: level_from_rating(text)?,
            source: source.to_owned(),
            score: None,
            text: text.to_owned(),
        })
    })
}

/// The name of whoever publishes records of an ecosystem, for labelling its ratings.
fn rating_source(ecosystem: &str, id: &str) -> String {
    if id.starts_with("GHSA-") {
        return "GitHub".to_owned();
    }
    ecosystem.split(':').next().unwrap_or(ecosystem).to_owned()
}

/// Every severity statement that applies to one affected package of a record: the
/// record's and the entry's CVSS vectors and ratings, the entry's
/// `ecosystem_specific`/`database_specific` severity or urgency, the record's
/// `database_specific.severity`, and an `Important:`-style summary prefix (AlmaLinux,
/// Rocky Linux, Red Hat errata).
pub fn severities(record: &Record, affected: &Affected, ecosystem: &str) -> Vec<Severity> {
    let source = rating_source(ecosystem, &record.id);
    let mut out: Vec<Severity> = record
        .severity
        .iter()
        .chain(&affected.severity)
        .filter_map(entry_severity)
        .collect();
    let keys = ["severity", "urgency", "priority"];
    out.extend(rating_in(affected.ecosystem_specific.as_ref(), &keys, &source));
    out.extend(rating_in(affected.database_specific.as_ref(), &keys, &source));
    out.extend(rating_in(record.database_specific.as_ref(), &keys, &source));
    if !out.iter().any(|s| !s.is_cvss())
        && let Some(summary) = &record.summary
        && let Some((word, _)) = summary.split_once(':')
        && !word.contains(' ')
        && let Some(level) = level_from_rating(word).filter(|l| *l != Level::Unknown)
    {
        out.push(Severity {
            level,
            source,
            score: None,
            text: word.to_owned(),
        });
    }
    let mut seen = Vec::<(String, String)>::new();
    out.retain(|s| {
        let key = (s.source.clone(), s.text.clone());
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
    out
}

/// The severity a finding shows: a distribution's own rating first (it rates the flaw as
/// built and shipped there), else the highest CVSS base score (v4 and v3 before v2), else
/// GitHub's rating (which is derived from CVSS anyway), else none.
pub fn headline(all: &[Severity]) -> Option<&Severity> {
    let rating = |github: bool| {
        all.iter()
            .filter(move |s| !s.is_cvss() && (s.source == "GitHub") == github)
            .max_by_key(|s| s.level)
    };
    if let Some(r) = rating(false) {
        return Some(r);
    }
    let best = |pred: fn(&Severity) -> bool| {
        all.iter()
            .filter(|s| pred(s))
            .max_by(|a, b| a.score.unwrap_or(0.0).total_cmp(&b.score.unwrap_or(0.0)))
    };
    best(|s| s.source != "CVSS_V2" && s.is_cvss())
        .or_else(|| best(|s| s.source == "CVSS_V2"))
        .or_else(|| rating(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Base scores as published by NVD for these vectors.
    #[test]
    fn cvss_scores_match_published_scores() {
        let cases = [
            // CVE-2021-44228 (Log4Shell): 10.0
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            // CVE-2014-0160 (Heartbleed), v3.1 vector: 7.5
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),
            // CVE-2023-46136 (werkzeug): 7.5
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            // CVE-2020-28498 (elliptic, the OSV schema's example): 6.8
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N", 6.8),
            // CVE-2021-3156 (sudo Baron Samedit): 7.8
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
            // CVE-2016-5195 (Dirty COW), written as a CVSS 3.0 vector: 7.0
            ("CVSS:3.0/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.0),
            // CVSS v4.0 specification examples: all high is 10, the
            // network/low/none/none/high-high-high vector without subsequent impact is 9.3.
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                10.0,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
            ),
            // CVSS v2, CVE-2014-0160: 5.0
            ("AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0),
        ];
        for (vector, score) in cases {
            assert_eq!(cvss_base_score(vector), Some(score), "{vector}");
        }
        assert_eq!(cvss_base_score("CVSS:3.1/AV:N"), None);
        assert_eq!(cvss_base_score("nonsense"), None);
    }

    #[test]
    fn rating_words() {
        assert_eq!(level_from_rating("Important"), Some(Level::High));
        assert_eq!(level_from_rating("unimportant"), Some(Level::Negligible));
        assert_eq!(level_from_rating("low**"), Some(Level::Low));
        assert_eq!(level_from_rating("MODERATE"), Some(Level::Medium));
        assert_eq!(level_from_rating("banana"), None);
    }

    #[test]
    fn distribution_rating_wins_over_cvss() {
        let record: Record = serde_json::from_str(
            r#"{"id": "UBUNTU-CVE-2024-1", "severity": [
                {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"},
                {"type": "Ubuntu", "score": "negligible"}],
               "affected": [{"package": {"ecosystem": "Ubuntu:22.04:LTS", "name": "x"}}]}"#,
        )
        .unwrap();
        let all = severities(&record, &record.affected[0], "Ubuntu:22.04:LTS");
        assert_eq!(all.len(), 2);
        let h = headline(&all).unwrap();
        assert_eq!((h.level, h.source.as_str()), (Level::Negligible, "Ubuntu"));
    }

    #[test]
    fn summary_prefix_rates_errata() {
        let record: Record = serde_json::from_str(
            r#"{"id": "ALSA-2024:1", "summary": "Important: openssl security update",
               "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "openssl"}}]}"#,
        )
        .unwrap();
        let all = severities(&record, &record.affected[0], "AlmaLinux:9");
        assert_eq!(all[0].level, Level::High);
        assert_eq!(all[0].source, "AlmaLinux");
    }
}
