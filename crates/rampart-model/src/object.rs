//! Kubernetes objects: a spanned tree plus its identity and where it came from.

use std::sync::{Arc, OnceLock};

use crate::node::{Node, Pos};
use crate::workload::PodSpecIndex;
use crate::yaml::LoadedDoc;

/// Where objects came from: a file, standard input, an admission request, a cluster.
#[derive(Debug)]
pub struct Source {
    /// How the source is shown to people and in reports (a path relative to where the
    /// scan started, `<stdin>`, ...).
    pub name: String,
    /// The text, when the source has one (used to show the offending line).
    pub text: Option<String>,
    /// Byte offsets of the start of each line, built on first use so that showing the
    /// lines of many findings costs one pass over the text, not one per finding.
    line_starts: OnceLock<Vec<usize>>,
}

impl Source {
    pub fn new(name: String, text: Option<String>) -> Source {
        Source {
            name,
            text,
            line_starts: OnceLock::new(),
        }
    }

    /// The text of 1-based line `line`, without its line ending (`\n` or `\r\n`; the
    /// loader has already turned lone carriage returns into line ends).
    pub fn line(&self, line: u32) -> Option<&str> {
        let text = self.text.as_deref()?;
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(
                    text.bytes()
                        .enumerate()
                        .filter(|&(_, b)| b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .filter(|&i| i < text.len())
                .collect()
        });
        let start = *starts.get((line as usize).checked_sub(1)?)?;
        let l = text[start..].split('\n').next().unwrap_or_default();
        Some(l.strip_suffix('\r').unwrap_or(l))
    }
}

/// A Kubernetes object read from a source.
#[derive(Debug)]
pub struct Object {
    pub source: Arc<Source>,
    /// 0-based index of the YAML document in its source.
    pub doc: usize,
    /// Index in the `items` of a `kind: List`, when the object came from one.
    pub item: Option<usize>,
    pub api_version: String,
    pub kind: String,
    /// `metadata.name`, or `generateName` followed by `*`, or empty.
    pub name: String,
    /// `metadata.namespace` as written (None when absent).
    pub namespace: Option<String>,
    pub root: Node,
    /// Where the pod spec is in `root`, when the object has one.
    pub(crate) pod: Option<PodSpecIndex>,
}

impl Object {
    pub fn metadata(&self) -> Option<&Node> {
        self.root.get("metadata")
    }

    /// The API group (`apps` for `apps/v1`, empty for the core group).
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    pub fn pos(&self) -> Pos {
        self.root.pos
    }

    /// A label for people: `Deployment default/web`.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind, ns, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }

    /// Builds an object from a position-less JSON value (admission requests, cluster lists).
    pub fn from_json(source: Arc<Source>, value: &serde_json::Value) -> Option<Object> {
        identify(source, 0, None, Node::from_json(value))
    }
}

/// What a document turned out to be.
#[derive(Debug)]
pub enum DocKind {
    /// Kubernetes objects (one, or the items of a `kind: List`).
    Objects(Vec<Object>),
    /// An empty document (only comments, or `---` alone).
    Empty,
    /// Valid YAML that is not a Kubernetes object (no `apiVersion`/`kind`).
    NotKubernetes,
    /// A Kubernetes-looking document with problems that prevent evaluation.
    Invalid { pos: Pos, message: String },
}

/// Classifies a loaded document and expands `kind: List` into its items.
pub fn objects_from_doc(source: &Arc<Source>, doc: LoadedDoc) -> DocKind {
    let root = doc.root;
    if root.is_null() {
        return DocKind::Empty;
    }
    if root.as_map().is_none() {
        return DocKind::NotKubernetes;
    }
    let has_kind = root.get("kind").and_then(Node::as_str).is_some();
    let has_api = root.get("apiVersion").and_then(Node::as_str).is_some();
    if !has_kind || !has_api {
        return DocKind::NotKubernetes;
    }
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or_default();
    if kind == "List" || (kind.ends_with("List") && root.get("items").is_some_and(|i| i.as_seq().is_some())) {
        let Some(items) = root.get("items") else {
            return DocKind::Objects(Vec::new());
        };
        if items.is_null() {
            return DocKind::Objects(Vec::new());
        }
        let Some(seq) = items.as_seq() else {
            return DocKind::Invalid {
                pos: items.pos,
                message: format!("`items` of a {kind} must be a sequence"),
            };
        };
        let mut out = Vec::with_capacity(seq.len());
        for (i, item) in seq.iter().enumerate() {
            match identify(source.clone(), doc.index, Some(i), item.clone()) {
                Some(o) => out.push(o),
                None => {
                    return DocKind::Invalid {
                        pos: item.pos,
                        message: format!("item {i} of the {kind} has no apiVersion or kind"),
                    };
                }
            }
        }
        return DocKind::Objects(out);
    }
    match identify(source.clone(), doc.index, None, root) {
        Some(o) => DocKind::Objects(vec![o]),
        None => DocKind::NotKubernetes,
    }
}

fn identify(source: Arc<Source>, doc: usize, item: Option<usize>, root: Node) -> Option<Object> {
    let api_version = root.get("apiVersion")?.as_str()?.to_string();
    let kind = root.get("kind")?.as_str()?.to_string();
    let meta = root.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Node::scalar_text)
        .map(str::to_string)
        .or_else(|| {
            meta.and_then(|m| m.get("generateName"))
                .and_then(Node::scalar_text)
                .map(|g| format!("{g}*"))
        })
        .unwrap_or_default();
    let namespace = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Node::scalar_text)
        .map(str::to_string);
    let pod = PodSpecIndex::find(&api_version, &kind, &root);
    Some(Object {
        source,
        doc,
        item,
        api_version,
        kind,
        name,
        namespace,
        root,
        pod,
    })
}

#[cfg(test)]
mod tests {
    use super::Source;

    /// The line index gives exactly the lines `str::lines` gives, for every sequence of up
    /// to six pieces of text, `\n` and `\r\n` (about 20,000 texts), and nothing past
    /// the last line.
    #[test]
    fn line_matches_str_lines() {
        const PIECES: &[&str] = &["a", "k: v", " -", "\n", "\r\n"];
        let mut texts = vec![String::new()];
        let mut checked = 0;
        for _ in 0..6 {
            let mut longer = Vec::with_capacity(texts.len() * PIECES.len());
            for t in &texts {
                for p in PIECES {
                    longer.push(format!("{t}{p}"));
                }
            }
            for text in &longer {
                let source = Source::new("t.yaml".into(), Some(text.clone()));
                let expected: Vec<&str> = text.lines().collect();
                for (i, l) in expected.iter().enumerate() {
                    assert_eq!(source.line(u32::try_from(i + 1).unwrap()), Some(*l), "{text:?}");
                }
                assert_eq!(
                    source.line(u32::try_from(expected.len() + 1).unwrap()),
                    None,
                    "{text:?}"
                );
                assert_eq!(source.line(0), None);
                checked += 1;
            }
            texts = longer;
        }
        assert_eq!(checked, (1..=6).map(|n| PIECES.len().pow(n)).sum::<usize>());
    }

    #[test]
    fn no_text_no_lines() {
        assert_eq!(Source::new("x".into(), None).line(1), None);
    }
}
