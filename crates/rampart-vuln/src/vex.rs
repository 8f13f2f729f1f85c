//! OpenVEX documents (specification v0.2.0): statements by a product's maker that a
//! vulnerability does or does not affect it.
//!
//! A document is read whole and checked against the specification before anything uses
//! it: the required fields (`@context`, `@id`, `author`, `timestamp`, `statements`), and in
//! every statement a vulnerability with a `name`, at least one product, a known `status`,
//! a `justification` or `impact_statement` for `not_affected`, an `action_statement` for
//! `affected`, and timestamps in RFC 3339. A document that breaks a rule is an error naming
//! the file and the line of the statement. Unknown fields are ignored, as JSON-LD allows.
//!
//! Documents written before v0.2.0 (a vulnerability as a bare string, products and
//! subcomponents as bare identifiers) are read too.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// A VEX document that could not be read, with the file and line it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct VexError {
    pub file: String,
    /// 1-based line in the JSON text.
    pub line: usize,
    pub message: String,
}

/// A parsed OpenVEX document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The file it was read from, as given to [`parse`].
    pub file: String,
    /// `@id`: the IRI naming the document.
    pub id: String,
    pub author: String,
    pub role: Option<String>,
    /// When the document was issued, as written.
    pub timestamp: String,
    /// The document's version; `None` when the document does not say.
    pub version: Option<u64>,
    pub statements: Vec<Statement>,
}

/// One statement: a vulnerability, the products it is about, and their status.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Position in the document's `statements` (from 0).
    pub index: usize,
    /// Line of the statement in the file.
    pub line: usize,
    /// `@id`, when the statement has one.
    pub id: Option<String>,
    pub vulnerability: Vulnerability,
    pub products: Vec<Product>,
    pub status: Status,
    pub justification: Option<Justification>,
    pub impact_statement: Option<String>,
    pub action_statement: Option<String>,
    pub status_notes: Option<String>,
    /// The time the statement speaks for: its `last_updated`, else its `timestamp`, else
    /// the document's `timestamp`. Of two statements about the same product and
    /// vulnerability the later one wins.
    pub time: Timestamp,
    /// Where it is written: `file:line (statement N)`, with its `@id` when it has one.
    pub origin: String,
}

/// The vulnerability a statement is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vulnerability {
    /// The main identifier (`CVE-2023-5678`).
    pub name: String,
    /// `@id`: an IRI for the vulnerability, when given.
    pub id: Option<String>,
    /// Other names of the same vulnerability (`GHSA-...`, `DSA-...`).
    pub aliases: Vec<String>,
}

impl Vulnerability {
    /// The name, the aliases and the `@id`.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.id.as_deref())
    }
}

/// A piece of software: an `@id` (an image reference, a purl) and/or identifiers and hashes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Component {
    pub id: Option<String>,
    /// `identifiers.purl`.
    pub purl: Option<String>,
    /// `hashes`: algorithm name (`sha-256`) and value.
    pub hashes: Vec<(String, String)>,
}

impl Component {
    /// Every identifier written for it: `@id` then `identifiers.purl`.
    pub fn identifiers(&self) -> impl Iterator<Item = &str> {
        self.id.as_deref().into_iter().chain(self.purl.as_deref())
    }
}

/// A product of a statement, with the subcomponents the vulnerability would come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Product {
    pub component: Component,
    pub subcomponents: Vec<Component>,
}

/// The status labels of VEX.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl Status {
    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "not_affected" => Status::NotAffected,
            "affected" => Status::Affected,
            "fixed" => Status::Fixed,
            "under_investigation" => Status::UnderInvestigation,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotAffected => "not_affected",
            Status::Affected => "affected",
            Status::Fixed => "fixed",
            Status::UnderInvestigation => "under_investigation",
        }
    }

    /// Whether findings the statement covers are suppressed: `not_affected` and `fixed`.
    pub fn suppresses(self) -> bool {
        matches!(self, Status::NotAffected | Status::Fixed)
    }
}

/// The justification labels for `not_affected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Justification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

impl Justification {
    pub const ALL: [Justification; 5] = [
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];

    pub fn parse(s: &str) -> Option<Justification> {
        Justification::ALL.into_iter().find(|j| j.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }
}

/// An instant read from an RFC 3339 timestamp, ordered in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub seconds: i64,
    pub nanos: u32,
}

impl Timestamp {
    /// Parses `2024-05-01T10:00:00Z`, `2024-05-01T10:00:00.123456789-06:00` (a space or a
    /// lower-case `t`/`z` are accepted too).
    pub fn parse(text: &str) -> Option<Timestamp> {
        let b = text.trim().as_bytes();
        if b.len() < 20 {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let part = b.get(r)?;
            if part.iter().all(u8::is_ascii_digit) {
                std::str::from_utf8(part).ok()?.parse().ok()
            } else {
                None
            }
        };
        let date = rampart_config::Date::parse(std::str::from_utf8(&b[..10]).ok()?)?;
        if !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
            return None;
        }
        let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if hour > 23 || min > 59 || sec > 60 {
            return None;
        }
        let mut i = 19;
        let mut nanos = 0u32;
        if b[i] == b'.' {
            let start = i + 1;
            i = start;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let digits = &b[start..i];
            if digits.is_empty() {
                return None;
            }
            for k in 0..9 {
                nanos = nanos * 10 + digits.get(k).map_or(0, |d| u32::from(d - b'0'));
            }
        }
        let offset = match b.get(i..)? {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
                if oh > 23 || om > 59 {
                    return None;
                }
                let o = oh * 3600 + om * 60;
                if *sign == b'-' { -o } else { o }
            }
            _ => return None,
        };
        let days = days_from_civil(date.year, date.month, date.day);
        Some(Timestamp {
            seconds: days * 86_400 + hour * 3600 + min * 60 + sec - offset,
            nanos,
        })
    }
}

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[derive(Deserialize)]
struct RawDocument<'a> {
    #[serde(rename = "@context")]
    context: Option<Value>,
    #[serde(rename = "@id")]
    id: Option<Value>,
    author: Option<Value>,
    role: Option<Value>,
    timestamp: Option<Value>,
    version: Option<Value>,
    #[serde(borrow)]
    statements: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct RawStatement {
    #[serde(rename = "@id")]
    id: Option<Value>,
    vulnerability: Option<Value>,
    products: Option<Value>,
    status: Option<Value>,
    justification: Option<Value>,
    impact_statement: Option<Value>,
    action_statement: Option<Value>,
    status_notes: Option<Value>,
    timestamp: Option<Value>,
    last_updated: Option<Value>,
}

/// The context IRI every OpenVEX document names (with a version after it, `/v0.2.0`).
pub const CONTEXT: &str = "https://openvex.dev/ns";

struct Reader<'a> {
    file: &'a str,
    text: &'a str,
}

impl Reader<'_> {
    fn err(&self, line: usize, message: impl Into<String>) -> VexError {
        VexError {
            file: self.file.to_string(),
            line,
            message: message.into(),
        }
    }

    /// The line at which `part` (a slice of the text) starts.
    fn line_of(&self, part: &str) -> usize {
        let offset = part.as_ptr().addr().saturating_sub(self.text.as_ptr().addr());
        line_at(self.text.as_bytes(), offset)
    }
}

/// The 1-based line of byte `offset`.
fn line_at(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())].split(|b| *b == b'\n').count()
}

/// A required or optional text field: `Ok(None)` when absent or null.
fn text(v: Option<&Value>, what: &str) -> Result<Option<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{what}` must be a string")),
    }
}

fn required(v: Option<&Value>, what: &str, whose: &str) -> Result<String, String> {
    match text(v, what)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(format!("{whose} needs `{what}`")),
    }
}

fn timestamp(v: Option<&Value>, what: &str) -> Result<Option<(String, Timestamp)>, String> {
    let Some(s) = text(v, what)? else {
        return Ok(None);
    };
    Timestamp::parse(&s)
        .map(|t| Some((s.clone(), t)))
        .ok_or_else(|| format!("`{what}` `{s}` is not an RFC 3339 timestamp such as 2024-05-01T10:00:00Z"))
}

fn component(v: &Value, what: &str) -> Result<Component, String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(Component {
            id: Some(s.clone()),
            ..Component::default()
        }),
        Value::Object(map) => {
            let id = text(map.get("@id"), "@id")?;
            let purl = match map.get("identifiers") {
                None | Some(Value::Null) => None,
                Some(Value::Object(ids)) => text(ids.get("purl"), "identifiers.purl")?,
                Some(_) => return Err(format!("`identifiers` of a {what} must be an object")),
            };
            let hashes = match map.get("hashes") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Object(h)) => h
                    .iter()
                    .map(|(k, v)| match v {
                        Value::String(s) => Ok((k.clone(), s.clone())),
                        _ => Err(format!("hash `{k}` of a {what} must be a string")),
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(format!("`hashes` of a {what} must be an object")),
            };
            let has_identifiers = matches!(map.get("identifiers"), Some(Value::Object(m)) if !m.is_empty());
            if id.is_none() && !has_identifiers && hashes.is_empty() {
                return Err(format!(
                    "a {what} needs an `@id`, `identifiers` or `hashes` to say which software it is"
                ));
            }
            Ok(Component { id, purl, hashes })
        }
        _ => Err(format!(
            "a {what} must be an object (with an `@id`) or an identifier string"
        )),
    }
}

fn vulnerability(v: Option<&Value>) -> Result<Vulnerability, String> {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Vulnerability {
            name: s.clone(),
            id: None,
            aliases: Vec::new(),
        }),
        Some(Value::Object(map)) => {
            let name = required(map.get("name"), "name", "a statement's vulnerability")?;
            let id = text(map.get("@id"), "@id")?;
            let aliases = match map.get("aliases") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|a| match a {
                        Value::String(s) => Ok(s.clone()),
                        _ => Err("`aliases` of a vulnerability must be a list of strings".to_string()),
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err("`aliases` of a vulnerability must be a list of strings".into()),
            };
            Ok(Vulnerability { name, id, aliases })
        }
        None | Some(Value::Null) => Err("a statement needs a `vulnerability`".into()),
        Some(_) => Err("`vulnerability` must be an object with a `name` (CVE-2023-5678)".into()),
    }
}

fn products(v: Option<&Value>) -> Result<Vec<Product>, String> {
    let Some(Value::Array(items)) = v else {
        return Err(match v {
            None | Some(Value::Null) => {
                "a statement needs `products`: the image or packages it is about".into()
            }
            Some(_) => "`products` must be a list".into(),
        });
    };
    if items.is_empty() {
        return Err("`products` must name at least one product".into());
    }
    items
        .iter()
        .map(|item| {
            let main = component(item, "product")?;
            let subcomponents = match item.get("subcomponents") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(subs)) => subs
                    .iter()
                    .map(|s| component(s, "subcomponent"))
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err("`subcomponents` must be a list".into()),
            };
            Ok(Product {
                component: main,
                subcomponents,
            })
        })
        .collect()
}

fn statement(
    r: &Reader<'_>,
    raw: &RawValue,
    index: usize,
    doc_time: Timestamp,
) -> Result<Statement, VexError> {
    let line = r.line_of(raw.get());
    let s: RawStatement = serde_json::from_str(raw.get()).map_err(|e| {
        r.err(
            line + e.line().saturating_sub(1),
            format!("statement {index}: {e}"),
        )
    })?;
    let fail = |m: String| r.err(line, format!("statement {index}: {m}"));
    let id = text(s.id.as_ref(), "@id").map_err(fail)?;
    let vulnerability = vulnerability(s.vulnerability.as_ref()).map_err(fail)?;
    let products = products(s.products.as_ref()).map_err(fail)?;
    let status_text = required(s.status.as_ref(), "status", "a statement").map_err(fail)?;
    let status = Status::parse(&status_text).ok_or_else(|| {
        fail(format!(
            "unknown status `{status_text}`; expected not_affected, affected, fixed or under_investigation"
        ))
    })?;
    let justification = match text(s.justification.as_ref(), "justification").map_err(fail)? {
        None => None,
        Some(j) => Some(Justification::parse(&j).ok_or_else(|| {
            fail(format!(
                "unknown justification `{j}`; expected one of: {}",
                Justification::ALL.map(Justification::as_str).join(", ")
            ))
        })?),
    };
    let non_empty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let impact_statement = non_empty(text(s.impact_statement.as_ref(), "impact_statement").map_err(fail)?);
    let action_statement = non_empty(text(s.action_statement.as_ref(), "action_statement").map_err(fail)?);
    let status_notes = non_empty(text(s.status_notes.as_ref(), "status_notes").map_err(fail)?);
    if status == Status::NotAffected && justification.is_none() && impact_statement.is_none() {
        return Err(fail(
            "a `not_affected` statement needs a `justification` or an `impact_statement` saying why".into(),
        ));
    }
    if status == Status::Affected && action_statement.is_none() {
        return Err(fail(
            "an `affected` statement needs an `action_statement` saying what to do".into(),
        ));
    }
    let own = timestamp(s.timestamp.as_ref(), "timestamp").map_err(fail)?;
    let updated = timestamp(s.last_updated.as_ref(), "last_updated").map_err(fail)?;
    let time = updated.or(own).map_or(doc_time, |(_, t)| t);
    let origin = match &id {
        Some(id) => format!("{}:{line} (statement {id})", r.file),
        None => format!("{}:{line} (statement {index})", r.file),
    };
    Ok(Statement {
        index,
        line,
        id,
        vulnerability,
        products,
        status,
        justification,
        impact_statement,
        action_statement,
        status_notes,
        time,
        origin,
    })
}

/// Reads an OpenVEX document from `bytes`; `file` names it in errors and origins.
pub fn parse(bytes: &[u8], file: &str) -> Result<Document, VexError> {
    let source = std::str::from_utf8(bytes).map_err(|e| {
        let line = line_at(bytes, e.valid_up_to());
        VexError {
            file: file.to_string(),
            line,
            message: "an OpenVEX document must be UTF-8".into(),
        }
    })?;
    let r = Reader { file, text: source };
    let raw: RawDocument<'_> = serde_json::from_str(source).map_err(|e| {
        let message = if e.is_data() {
            format!("not an OpenVEX document: {e}")
        } else {
            format!("invalid JSON: {e}")
        };
        r.err(e.line().max(1), message)
    })?;
    let top = source
        .bytes()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(1, |p| r.line_of(&source[p..]));
    let fail = |m: String| r.err(top, m);
    match raw.context.as_ref() {
        Some(Value::String(c)) if c.starts_with(CONTEXT) => {}
        Some(Value::String(c)) => {
            return Err(fail(format!(
                "`@context` is `{c}`; an OpenVEX document names {CONTEXT}/v0.2.0"
            )));
        }
        _ => {
            return Err(fail(format!(
                "not an OpenVEX document: it needs `\"@context\": \"{CONTEXT}/v0.2.0\"`"
            )));
        }
    }
    let id = required(raw.id.as_ref(), "@id", "an OpenVEX document").map_err(fail)?;
    let author = required(raw.author.as_ref(), "author", "an OpenVEX document").map_err(fail)?;
    let role = text(raw.role.as_ref(), "role").map_err(fail)?;
    let (timestamp, doc_time) = timestamp(raw.timestamp.as_ref(), "timestamp")
        .map_err(fail)?
        .ok_or_else(|| fail("an OpenVEX document needs `timestamp`".into()))?;
    let version = match raw.version.as_ref() {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64(),
        Some(Value::String(s)) if s.parse::<u64>().is_ok() => s.parse().ok(),
        Some(v) => return Err(fail(format!("`version` must be a whole number, not {v}"))),
    };
    let raw_statements = raw
        .statements
        .ok_or_else(|| fail("an OpenVEX document needs `statements`".into()))?;
    let statements = raw_statements
        .iter()
        .enumerate()
        .map(|(i, s)| statement(&r, s, i, doc_time))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Document {
        file: file.to_string(),
        id,
        author,
        role,
        timestamp,
        version,
        statements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_order_across_offsets() {
        let t = |s: &str| Timestamp::parse(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!(t("1970-01-01T00:00:00Z").seconds, 0);
        assert_eq!(t("2026-01-01T00:00:00Z").seconds, 20_454 * 86_400);
        // 10:00 at -06:00 is 16:00 UTC, later than 15:00 UTC.
        assert!(t("2024-05-01T10:00:00-06:00") > t("2024-05-01T15:00:00Z"));
        assert_eq!(t("2024-05-01T10:00:00+02:00"), t("2024-05-01T08:00:00Z"));
        assert!(t("2023-01-08T18:02:03.647787998-06:00") > t("2023-01-08T18:02:03.5-06:00"));
        assert_eq!(t("2024-02-29 12:00:00z").nanos, 0);
        for bad in [
            "2024-05-01",
            "2024-05-01T25:00:00Z",
            "2024-02-30T00:00:00Z",
            "2024-05-01T10:00:00",
            "2024-05-01T10:00:00+0200",
            "2024-05-01T10:00:00.Z",
        ] {
            assert!(Timestamp::parse(bad).is_none(), "{bad}");
        }
    }
}
