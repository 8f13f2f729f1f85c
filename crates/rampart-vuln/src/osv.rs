//! Lenient OSV records (<https://ossf.github.io/osv-schema/>) and their parsing from JSON
//! and YAML texts.
//!
//! The structs keep only what matching and reporting need and ignore every other field.
//! The ecosystem is a plain string (new ecosystems appear every few months), missing
//! lists and `null` are empty lists, and versions written as numbers are taken as text.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// One OSV record.
#[derive(Debug, Clone, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default, deserialize_with = "opt_text")]
    pub modified: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub published: Option<String>,
    /// Set when the record was withdrawn: such records are never imported.
    #[serde(default, deserialize_with = "opt_text")]
    pub withdrawn: Option<String>,
    #[serde(default, deserialize_with = "text_list")]
    pub aliases: Vec<String>,
    /// The records this one was derived from (Debian and Ubuntu point at the CVE here).
    #[serde(default, deserialize_with = "text_list")]
    pub upstream: Vec<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub details: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub severity: Vec<SeverityEntry>,
    #[serde(default, deserialize_with = "null_default")]
    pub affected: Vec<Affected>,
    #[serde(default, deserialize_with = "null_default")]
    pub references: Vec<Reference>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

/// A `severity` entry: `CVSS_V3`, `CVSS_V4`, `CVSS_V2`, `Ubuntu` ... and its score text.
#[derive(Debug, Clone, Deserialize)]
pub struct SeverityEntry {
    #[serde(rename = "type", deserialize_with = "text")]
    pub kind: String,
    #[serde(deserialize_with = "text")]
    pub score: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Affected {
    #[serde(default)]
    pub package: Option<PackageRef>,
    #[serde(default, deserialize_with = "null_default")]
    pub severity: Vec<SeverityEntry>,
    #[serde(default, deserialize_with = "null_default")]
    pub ranges: Vec<Range>,
    #[serde(default, deserialize_with = "text_list")]
    pub versions: Vec<String>,
    #[serde(default)]
    pub ecosystem_specific: Option<serde_json::Value>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PackageRef {
    #[serde(deserialize_with = "text")]
    pub ecosystem: String,
    #[serde(deserialize_with = "text")]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Range {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    #[serde(rename = "type", deserialize_with = "text")]
    pub kind: String,
    #[serde(default, deserialize_with = "null_default")]
    pub events: Vec<Event>,
}

/// One event of a range: exactly one of the four is set in a valid record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub introduced: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixed: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_affected: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub limit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type", default, deserialize_with = "text_or_empty")]
    pub kind: String,
    #[serde(deserialize_with = "text")]
    pub url: String,
}

/// A record that could not be read, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, or `archive.zip:member` for a member of an archive.
    pub file: String,
    /// 1-based line and column when known.
    pub line: Option<(u32, u32)>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some((line, col)) => write!(f, "{}:{line}:{col}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Parses the records of one file. JSON files hold one record (or an array of records);
/// YAML files one record per document. Bad records are reported, the good ones kept.
pub fn parse(file: &str, bytes: &[u8], yaml: bool) -> (Vec<Record>, Vec<Problem>) {
    let problem = |line: Option<(u32, u32)>, message: String| Problem {
        file: file.to_owned(),
        line,
        message,
    };
    if yaml {
        return parse_yaml(file, bytes);
    }
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        return match serde_json::from_slice::<Vec<serde_json::Value>>(bytes) {
            Ok(values) => {
                let mut records = Vec::new();
                let mut problems = Vec::new();
                for (i, v) in values.into_iter().enumerate() {
                    match serde_json::from_value::<Record>(v) {
                        Ok(r) => records.push(r),
                        Err(e) => problems.push(problem(None, format!("record {}: {e}", i + 1))),
                    }
                }
                (records, problems)
            }
            Err(e) => (vec![], vec![json_problem(file, &e)]),
        };
    }
    match serde_json::from_slice::<Record>(bytes) {
        Ok(r) => (vec![r], vec![]),
        Err(e) => (vec![], vec![json_problem(file, &e)]),
    }
}

fn json_problem(file: &str, e: &serde_json::Error) -> Problem {
    // serde_json appends " at line L column C"; the position goes in its own field.
    let text = e.to_string();
    let message = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(m, _)| m)
        .to_owned();
    Problem {
        file: file.to_owned(),
        line: (e.line() > 0).then(|| (to_u32(e.line()), to_u32(e.column()))),
        message: format!("not a valid OSV record: {message}"),
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn parse_yaml(file: &str, bytes: &[u8]) -> (Vec<Record>, Vec<Problem>) {
    let mut problems = Vec::new();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return (
                vec![],
                vec![Problem {
                    file: file.to_owned(),
                    line: None,
                    message: format!("not UTF-8 text: {e}"),
                }],
            );
        }
    };
    let loaded = rampart_model::yaml::load(text, &rampart_model::Limits::default());
    for e in loaded.errors {
        problems.push(Problem {
            file: file.to_owned(),
            line: e.pos.is_known().then_some((e.pos.line, e.pos.col)),
            message: format!("not valid YAML: {}", e.message),
        });
    }
    let mut records = Vec::new();
    for doc in loaded.docs {
        if doc.root.is_null() {
            continue;
        }
        match serde_json::from_value::<Record>(yaml_to_json(&doc.root)) {
            Ok(r) => records.push(r),
            Err(e) => problems.push(Problem {
                file: file.to_owned(),
                line: doc.start.is_known().then_some((doc.start.line, doc.start.col)),
                message: format!("not a valid OSV record: {e}"),
            }),
        }
    }
    (records, problems)
}

/// Converts a YAML tree to JSON keeping every scalar's text: a version written `1.10`
/// stays `"1.10"` instead of becoming the number 1.1.
fn yaml_to_json(node: &rampart_model::Node) -> serde_json::Value {
    use rampart_model::{ScalarType, Value};
    match &node.value {
        Value::Scalar(s) => match s.ty {
            ScalarType::Null => serde_json::Value::Null,
            _ => serde_json::Value::String(s.text.to_string()),
        },
        Value::Seq(items) => serde_json::Value::Array(items.iter().map(yaml_to_json).collect()),
        Value::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.to_string(), yaml_to_json(v)))
                .collect(),
        ),
    }
}

/// A string, or a number or boolean taken as its text.
struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(TextVisitor)
}

#[derive(Deserialize)]
#[serde(transparent)]
struct Text(#[serde(deserialize_with = "text")] String);

fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Text>::deserialize(d)?.map(|t| t.0))
}

fn text_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_text(d)?.unwrap_or_default())
}

fn text_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<Text>>::deserialize(d)?
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.0)
        .collect())
}

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_and_ecosystems_are_accepted() {
        let text = br#"{"id": "X-1", "schema_version": "9.9", "affected": [
            {"package": {"ecosystem": "Brand New OS:7", "name": "p", "purl": "pkg:x/p"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}], "extra": 1}],
             "versions": null}], "aliases": null, "severity": null, "credits": [{"name": "n"}]}"#;
        let (records, problems) = parse("a.json", text, false);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            records[0].affected[0].package.as_ref().unwrap().ecosystem,
            "Brand New OS:7"
        );
        assert!(records[0].aliases.is_empty());
    }

    #[test]
    fn json_errors_carry_line_and_column() {
        let text = b"{\n  \"id\": \"X-1\",\n  \"affected\": [\n    {\"package\": 5}\n  ]\n}\n";
        let (records, problems) = parse("bad.json", text, false);
        assert!(records.is_empty());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line.map(|l| l.0), Some(4), "{}", problems[0]);
        assert!(
            problems[0].to_string().starts_with("bad.json:4:"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn yaml_versions_keep_their_text() {
        let text = b"id: PYSEC-0\naffected:\n- package: {ecosystem: PyPI, name: p}\n  versions:\n  - 1.10\n  - 2\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: 1.20\n";
        let (records, problems) = parse("p.yaml", text, true);
        assert!(problems.is_empty(), "{problems:?}");
        let a = &records[0].affected[0];
        assert_eq!(a.versions, ["1.10", "2"]);
        assert_eq!(a.ranges[0].events[1].fixed.as_deref(), Some("1.20"));
        assert_eq!(a.ranges[0].events[0].introduced.as_deref(), Some("0"));
    }

    #[test]
    fn yaml_errors_carry_the_line() {
        let text = b"id: X\naffected:\n  - package: {ecosystem: PyPI, name: p\n  ranges: []\n";
        let (records, problems) = parse("p.yaml", text, true);
        assert!(records.is_empty());
        assert!(problems[0].line.is_some(), "{problems:?}");
        assert!(problems[0].to_string().starts_with("p.yaml:"), "{}", problems[0]);
    }

    #[test]
    fn a_record_without_id_is_reported() {
        let (records, problems) = parse("n.yaml", b"summary: nothing\n", true);
        assert!(records.is_empty());
        assert!(problems[0].message.contains("id"), "{problems:?}");
        assert_eq!(problems[0].line, Some((1, 1)));
    }
}
