//! Standard catalogs: the controls of a security standard, kept as YAML data files in
//! `data/` (one per standard) and validated strictly, with file and line in every error.

use rampart_model::{Limits, Node, Pos};
use serde::Serialize;

/// How a control is assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Assessment {
    /// Evidenced by Rampart checks on manifests.
    Automated,
    /// Needs a person; the catalog says how to assess it.
    Manual,
    /// Assessed on the cluster's nodes (CIS Kubernetes sections 1-4), not from manifests.
    Node,
}

impl Assessment {
    pub fn as_str(self) -> &'static str {
        match self {
            Assessment::Automated => "automated",
            Assessment::Manual => "manual",
            Assessment::Node => "node",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Control {
    pub id: String,
    pub section: String,
    pub title: String,
    pub description: String,
    pub assessment: Assessment,
    /// How to assess a manual or node control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    #[serde(skip)]
    pub line: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Standard {
    pub id: String,
    pub title: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub description: String,
    pub sections: Vec<Section>,
    pub controls: Vec<Control>,
}

impl Standard {
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }

    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }
}

/// A catalog error, naming the file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{}: {message}", pos.line)]
pub struct CatalogError {
    pub file: String,
    pub pos: Pos,
    pub message: String,
}

struct Reader<'a> {
    file: &'a str,
    errors: Vec<CatalogError>,
}

impl Reader<'_> {
    fn err(&mut self, pos: Pos, message: impl Into<String>) {
        self.errors.push(CatalogError {
            file: self.file.to_string(),
            pos,
            message: message.into(),
        });
    }

    fn keys<'n>(&mut self, node: &'n Node, allowed: &[&str], what: &str) -> Vec<(&'n str, &'n Node)> {
        let mut out = Vec::new();
        if node.as_map().is_none() {
            self.err(node.pos, format!("{what} must be a mapping"));
        }
        for (k, v) in node.entries() {
            if allowed.contains(&k.name.as_str()) {
                out.push((k.name.as_str(), v));
            } else {
                self.err(
                    k.pos,
                    format!(
                        "unknown key `{}` in {what}; expected one of: {}",
                        k.name,
                        allowed.join(", ")
                    ),
                );
            }
        }
        out
    }

    fn string(&mut self, node: &Node, what: &str) -> String {
        match node.scalar_text() {
            Some(s) if !node.is_null() && !s.trim().is_empty() => s.trim().to_string(),
            _ => {
                self.err(node.pos, format!("{what} must be a non-empty string"));
                String::new()
            }
        }
    }

    fn required(&mut self, node: &Node, present: &[&str], required: &[&str], what: &str) {
        for r in required {
            if !present.contains(r) {
                self.err(node.pos, format!("{what} lacks `{r}`"));
            }
        }
    }
}

const TOP: &[&str] = &[
    "id",
    "title",
    "version",
    "published",
    "url",
    "description",
    "sections",
    "controls",
];

/// Parses and validates one catalog file. All errors are returned, not just the first.
pub fn parse(file: &str, text: &str) -> Result<Standard, Vec<CatalogError>> {
    let mut r = Reader {
        file,
        errors: Vec::new(),
    };
    let loaded = rampart_model::yaml::load(text, &Limits::default());
    for e in loaded.errors.iter().chain(&loaded.warnings) {
        r.err(e.pos, e.message.clone());
    }
    let Some(doc) = loaded.docs.first() else {
        r.err(Pos::new(1, 1), "empty catalog");
        return Err(r.errors);
    };
    let mut s = Standard {
        id: String::new(),
        title: String::new(),
        version: String::new(),
        published: None,
        url: None,
        description: String::new(),
        sections: Vec::new(),
        controls: Vec::new(),
    };
    let entries = r.keys(&doc.root, TOP, "the catalog");
    let present: Vec<&str> = entries.iter().map(|(k, _)| *k).collect();
    r.required(
        &doc.root,
        &present,
        &["id", "title", "version", "description", "sections", "controls"],
        "the catalog",
    );
    for (key, value) in entries {
        match key {
            "id" => s.id = r.string(value, "id"),
            "title" => s.title = r.string(value, "title"),
            "version" => s.version = r.string(value, "version"),
            "published" => s.published = Some(r.string(value, "published")),
            "url" => s.url = Some(r.string(value, "url")),
            "description" => s.description = r.string(value, "description"),
            "sections" => {
                for item in value.items() {
                    let e = r.keys(item, &["id", "title"], "a section");
                    let p: Vec<&str> = e.iter().map(|(k, _)| *k).collect();
                    r.required(item, &p, &["id", "title"], "a section");
                    let mut sec = Section {
                        id: String::new(),
                        title: String::new(),
                    };
                    for (k, v) in e {
                        match k {
                            "id" => sec.id = r.string(v, "a section id"),
                            _ => sec.title = r.string(v, "a section title"),
                        }
                    }
                    if s.sections.iter().any(|x| x.id == sec.id) {
                        r.err(item.pos, format!("section `{}` is listed twice", sec.id));
                    }
                    s.sections.push(sec);
                }
            }
            "controls" => {
                for item in value.items() {
                    if let Some(c) = read_control(&mut r, item) {
                        s.controls.push(c);
                    }
                }
            }
            _ => unreachable!("keys() filters"),
        }
    }
    let mut seen = std::collections::HashSet::new();
    for c in &s.controls {
        if !seen.insert(c.id.as_str()) {
            r.err(Pos::new(c.line, 1), format!("control `{}` is listed twice", c.id));
        }
        if s.section(&c.section).is_none() {
            r.err(
                Pos::new(c.line, 1),
                format!(
                    "control `{}` names section `{}`, which `sections` does not list",
                    c.id, c.section
                ),
            );
        }
    }
    if s.id.contains(':') {
        r.err(doc.root.locate("id"), "a standard id cannot contain `:`");
    }
    if r.errors.is_empty() { Ok(s) } else { Err(r.errors) }
}

fn read_control(r: &mut Reader<'_>, item: &Node) -> Option<Control> {
    const KEYS: &[&str] = &["id", "section", "title", "description", "assessment", "guidance"];
    let e = r.keys(item, KEYS, "a control");
    let p: Vec<&str> = e.iter().map(|(k, _)| *k).collect();
    r.required(
        item,
        &p,
        &["id", "section", "title", "description", "assessment"],
        "a control",
    );
    let mut c = Control {
        id: String::new(),
        section: String::new(),
        title: String::new(),
        description: String::new(),
        assessment: Assessment::Manual,
        guidance: None,
        line: item.pos.line,
    };
    for (k, v) in e {
        match k {
            "id" => c.id = r.string(v, "a control id"),
            "section" => c.section = r.string(v, "a control's section"),
            "title" => c.title = r.string(v, "a control title"),
            "description" => c.description = r.string(v, "a control description"),
            "guidance" => c.guidance = Some(r.string(v, "guidance")),
            "assessment" => {
                c.assessment = match v.scalar_text().unwrap_or_default() {
                    "automated" => Assessment::Automated,
                    "manual" => Assessment::Manual,
                    "node" => Assessment::Node,
                    other => {
                        r.err(
                            v.pos,
                            format!("assessment `{other}`: expected automated, manual or node"),
                        );
                        return None;
                    }
                }
            }
            _ => unreachable!("keys() filters"),
        }
    }
    if c.assessment != Assessment::Automated && c.guidance.is_none() {
        r.err(
            item.pos,
            format!(
                "control `{}` is {} and needs `guidance`",
                c.id,
                c.assessment.as_str()
            ),
        );
    }
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id: demo\ntitle: Demo\nversion: \"1\"\ndescription: A demo.\nsections:\n  - id: \"1\"\n    title: One\ncontrols:\n  - id: \"1.1\"\n    section: \"1\"\n    title: First\n    description: The first.\n    assessment: automated\n  - id: \"1.2\"\n    section: \"1\"\n    title: Second\n    description: The second.\n    assessment: manual\n    guidance: Ask.\n";

    #[test]
    fn parses_a_catalog() {
        let s = parse("demo.yaml", GOOD).expect("valid");
        assert_eq!(s.id, "demo");
        assert_eq!(s.controls.len(), 2);
        assert_eq!(s.controls[1].assessment, Assessment::Manual);
        assert_eq!(s.controls[1].line, 14);
    }

    #[test]
    fn errors_name_the_line() {
        let bad = GOOD
            .replace(
                "    assessment: manual\n    guidance: Ask.\n",
                "    assessment: manual\n",
            )
            .replace(
                "section: \"1\"\n    title: First",
                "section: \"9\"\n    titel: First",
            );
        let errors: Vec<String> = parse("demo.yaml", &bad)
            .expect_err("invalid")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("demo.yaml:11: unknown key `titel`")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e == "demo.yaml:9: a control lacks `title`"),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.contains("names section `9`")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.contains("control `1.2` is manual and needs `guidance`")),
            "{errors:?}"
        );
    }
}
