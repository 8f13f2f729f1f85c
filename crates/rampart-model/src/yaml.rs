//! A YAML (and JSON, which is YAML) loader that builds [`Node`] trees from the event stream
//! of `saphyr-parser`, without recursion and with hard limits, so hostile input (alias
//! bombs, nesting thousands deep, huge documents) yields a diagnostic instead of a crash.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

use crate::node::{Key, Node, Pos, Scalar, ScalarType, Text, Value, resolve_plain};

/// Limits that protect the loader from hostile input.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of mappings and sequences in one document.
    pub max_depth: usize,
    /// Most nodes in one document, aliases expanded.
    pub max_nodes: usize,
    /// Most nodes created by expanding aliases in one document.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_nodes: 2_000_000,
            max_alias_nodes: 100_000,
        }
    }
}

/// A problem in the text, with the position where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub pos: Pos,
    pub message: String,
}

/// One document of a stream.
#[derive(Debug)]
pub struct LoadedDoc {
    /// 0-based index of the document in its file.
    pub index: usize,
    /// The position of the document's first node.
    pub start: Pos,
    pub root: Node,
}

/// Everything read from one text: the documents that parsed, the errors (a document that
/// failed is reported and the loader resumes at the next `---` line), and warnings.
#[derive(Debug, Default)]
pub struct Loaded {
    pub docs: Vec<LoadedDoc>,
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

/// An open collection. Its children so far live at the end of the builder's scratch
/// stacks, from `start` on, so that each finished collection is allocated once, at its
/// exact size, instead of growing by doubling (which left up to half of every sequence
/// and mapping unused, for the whole scan).
enum Frame {
    Seq {
        start: usize,
        pos: Pos,
        anchor: usize,
        start_count: usize,
    },
    Map {
        start: usize,
        pending: Option<Key>,
        merges: Vec<Node>,
        /// Key name to its entry (relative to `start`), built once the mapping has more
        /// than [`LINEAR_KEYS`] keys, so duplicate detection stays linear in the size of
        /// a mapping with many keys (a large ConfigMap).
        index: Option<HashMap<Text, usize>>,
        pos: Pos,
        anchor: usize,
        start_count: usize,
    },
}

/// Up to this many keys, a mapping is searched for a duplicate key entry by entry.
const LINEAR_KEYS: usize = 16;

struct DocBuilder<'a> {
    limits: &'a Limits,
    line_offset: u32,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    alias_nodes: usize,
    root: Option<Node>,
    warnings: Vec<Problem>,
    /// Items of the open sequences, innermost last.
    items: Vec<Node>,
    /// Entries of the open mappings, innermost last.
    entries: Vec<(Key, Node)>,
}

impl DocBuilder<'_> {
    fn pos(&self, span: &Span) -> Pos {
        Pos::new(
            u32::try_from(span.start.line())
                .unwrap_or(u32::MAX)
                .saturating_add(self.line_offset),
            u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
        )
    }

    fn count_node(&mut self, pos: Pos) -> Result<(), Problem> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(Problem {
                pos,
                message: format!("document has more than {} nodes", self.limits.max_nodes),
            });
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, pos: Pos) -> Result<(), Problem> {
        self.count_node(pos)?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(Problem {
                pos,
                message: format!(
                    "nesting is deeper than {} levels; refusing to load this document",
                    self.limits.max_depth
                ),
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    /// Adds a finished node to the enclosing collection (or makes it the root).
    fn push(&mut self, node: Node, anchor: usize, count: usize) -> Result<(), Problem> {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), count));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { .. }) => self.items.push(node),
            Some(Frame::Map {
                start,
                pending,
                merges,
                index,
                ..
            }) => match pending.take() {
                None => {
                    let pos = node.pos;
                    let name = match node.value {
                        Value::Scalar(s) => s.text,
                        _ => {
                            return Err(Problem {
                                pos,
                                message: "a mapping or sequence used as a mapping key is not valid in Kubernetes manifests".into(),
                            });
                        }
                    };
                    *pending = Some(Key { name, pos });
                }
                Some(key) => {
                    if key.name == "<<" {
                        merges.push(node);
                        return Ok(());
                    }
                    let entries = &mut self.entries[*start..];
                    let found = if entries.len() < LINEAR_KEYS {
                        entries.iter().position(|(k, _)| k.name == key.name)
                    } else {
                        index
                            .get_or_insert_with(|| {
                                let mut index = HashMap::with_capacity(entries.len() * 2);
                                for (i, (k, _)) in entries.iter().enumerate() {
                                    index.entry(k.name.clone()).or_insert(i);
                                }
                                index
                            })
                            .get(key.name.as_str())
                            .copied()
                    };
                    if let Some(i) = found {
                        let existing = &mut entries[i];
                        self.warnings.push(Problem {
                            pos: key.pos,
                            message: format!(
                                "duplicate key `{}` (first at line {}); the last value wins, as in the API server",
                                key.name, existing.0.pos.line
                            ),
                        });
                        *existing = (key, node);
                    } else {
                        if let Some(index) = index {
                            index.insert(key.name.clone(), entries.len());
                        }
                        self.entries.push((key, node));
                    }
                }
            },
        }
        Ok(())
    }

    fn event(&mut self, ev: Event<'_>, span: &Span) -> Result<(), Problem> {
        let pos = self.pos(span);
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                self.count_node(pos)?;
                let ty = scalar_type(&text, style, tag.as_deref());
                let node = Node {
                    value: Value::Scalar(Scalar {
                        text: Text::from(text),
                        ty,
                    }),
                    pos,
                };
                self.push(node, anchor, 1)?;
            }
            Event::SequenceStart(anchor, _) => {
                let start_count = self.nodes;
                self.open(
                    Frame::Seq {
                        start: self.items.len(),
                        pos,
                        anchor,
                        start_count,
                    },
                    pos,
                )?;
            }
            Event::MappingStart(anchor, _) => {
                let start_count = self.nodes;
                self.open(
                    Frame::Map {
                        start: self.entries.len(),
                        pending: None,
                        merges: Vec::new(),
                        index: None,
                        pos,
                        anchor,
                        start_count,
                    },
                    pos,
                )?;
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    start,
                    pos,
                    anchor,
                    start_count,
                }) = self.stack.pop()
                {
                    // Collected from an exact-size iterator: allocated at its final size.
                    let items: Vec<Node> = self.items.drain(start..).collect();
                    let count = self.nodes - start_count;
                    self.push(
                        Node {
                            value: Value::Seq(items),
                            pos,
                        },
                        anchor,
                        count,
                    )?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    start,
                    merges,
                    pos,
                    anchor,
                    start_count,
                    ..
                }) = self.stack.pop()
                {
                    let mut entries: Vec<(Key, Node)> = self.entries.drain(start..).collect();
                    apply_merges(&mut entries, merges);
                    let count = self.nodes - start_count;
                    self.push(
                        Node {
                            value: Value::Map(entries),
                            pos,
                        },
                        anchor,
                        count,
                    )?;
                }
            }
            Event::Alias(id) => {
                let Some((node, count)) = self.anchors.get(&id) else {
                    return Err(Problem {
                        pos,
                        message: "alias refers to an unknown anchor".into(),
                    });
                };
                let (node, count) = (node.clone(), *count);
                self.alias_nodes += count;
                self.nodes += count;
                if self.alias_nodes > self.limits.max_alias_nodes || self.nodes > self.limits.max_nodes {
                    return Err(Problem {
                        pos,
                        message: format!(
                            "aliases expand to more than {} nodes (an alias bomb?); refusing to load this document",
                            self.limits.max_alias_nodes
                        ),
                    });
                }
                self.push(node, 0, count)?;
            }
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd
            | Event::Nothing => {}
        }
        Ok(())
    }
}

/// YAML merge keys (`<<: *base`): keys of the mapping itself win over merged ones, and
/// earlier merged mappings win over later ones.
fn apply_merges(entries: &mut Vec<(Key, Node)>, merges: Vec<Node>) {
    if merges.is_empty() {
        return;
    }
    // The keys present so far, so a large merge into a large mapping stays linear.
    let mut present: std::collections::HashSet<Text> = entries.iter().map(|(k, _)| k.name.clone()).collect();
    for merge in merges {
        let sources: Vec<Node> = match merge.value {
            Value::Seq(items) => items,
            _ => vec![merge],
        };
        for source in sources {
            if let Value::Map(src) = source.value {
                for (k, v) in src {
                    if present.insert(k.name.clone()) {
                        entries.push((k, v));
                    }
                }
            }
        }
    }
}

fn scalar_type(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> ScalarType {
    if let Some(tag) = tag {
        if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
            return match tag.suffix.as_str() {
                "str" | "binary" | "timestamp" => ScalarType::Str,
                "null" => ScalarType::Null,
                _ => resolve_plain(text),
            };
        }
        if tag.handle == "!" && tag.suffix.is_empty() {
            return ScalarType::Str;
        }
    }
    match style {
        ScalarStyle::Plain => resolve_plain(text),
        _ => ScalarType::Str,
    }
}

/// Loads every document of a YAML or JSON text. Never panics and never recurses, whatever
/// the input. A document that fails to parse is reported, and loading resumes at the next
/// line that starts a new document (`---`).
pub fn load(text: &str, limits: &Limits) -> Loaded {
    let mut out = Loaded::default();
    let mut base = 0usize; // byte offset where the current parse starts
    let mut line_offset = 0u32; // lines before `base`
    let mut doc_index = 0usize;
    loop {
        let chunk = &text[base..];
        match load_chunk(chunk, limits, line_offset, &mut doc_index, &mut out) {
            None => break,
            Some(err_line) => {
                // Resume at the first `---` line after the error (lines are 1-based, absolute).
                let rel_line = err_line.saturating_sub(line_offset) as usize;
                let Some((skip_bytes, skip_lines)) = next_document_start(chunk, rel_line) else {
                    break;
                };
                base += skip_bytes;
                line_offset += skip_lines;
                doc_index += 1;
            }
        }
    }
    out
}

/// Byte offset and line count of the first line at or after `after_line` (1-based, relative)
/// that starts with `---`, but never the first line of the chunk.
fn next_document_start(chunk: &str, after_line: usize) -> Option<(usize, u32)> {
    let mut offset = 0usize;
    for (i, line) in chunk.split_inclusive('\n').enumerate() {
        let lineno = i + 1;
        if lineno > 1 && lineno >= after_line && line.starts_with("---") {
            let rest = &line[3..];
            if rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']) {
                return Some((offset, u32::try_from(i).unwrap_or(u32::MAX)));
            }
        }
        offset += line.len();
    }
    None
}

/// Parses one chunk; returns the absolute line of the error when a document failed.
fn load_chunk(
    text: &str,
    limits: &Limits,
    line_offset: u32,
    doc_index: &mut usize,
    out: &mut Loaded,
) -> Option<u32> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = new_builder(limits, line_offset);
    let mut start = Pos::NONE;
    let mut started = false;
    loop {
        let res = parser.next_event()?;
        match res {
            Err(e) => {
                let pos = Pos::new(
                    u32::try_from(e.marker().line())
                        .unwrap_or(u32::MAX)
                        .saturating_add(line_offset),
                    u32::try_from(e.marker().col() + 1).unwrap_or(u32::MAX),
                );
                let message = if e.info().contains("recursion limit") {
                    "nesting is too deep; refusing to load this document".to_string()
                } else {
                    format!("invalid YAML: {}", e.info())
                };
                out.errors.push(Problem { pos, message });
                out.warnings.append(&mut builder.warnings);
                return Some(pos.line);
            }
            Ok((ev, span)) => match ev {
                Event::StreamEnd => return None,
                Event::DocumentStart(_) => {
                    // A fresh builder, keeping the scratch stacks' capacity.
                    let (mut items, mut entries) = (
                        std::mem::take(&mut builder.items),
                        std::mem::take(&mut builder.entries),
                    );
                    items.clear();
                    entries.clear();
                    builder = DocBuilder {
                        items,
                        entries,
                        ..new_builder(limits, line_offset)
                    };
                    started = true;
                    start = builder.pos(&span);
                }
                Event::DocumentEnd => {
                    out.warnings.append(&mut builder.warnings);
                    if let Some(root) = builder.root.take() {
                        out.docs.push(LoadedDoc {
                            index: *doc_index,
                            start,
                            root,
                        });
                    }
                    *doc_index += 1;
                    started = false;
                }
                ev => {
                    if !started {
                        continue;
                    }
                    if let Err(problem) = builder.event(ev, &span) {
                        let line = problem.pos.line;
                        out.errors.push(problem);
                        out.warnings.append(&mut builder.warnings);
                        return Some(line);
                    }
                }
            },
        }
    }
}

fn new_builder(limits: &Limits, line_offset: u32) -> DocBuilder<'_> {
    DocBuilder {
        limits,
        line_offset,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        alias_nodes: 0,
        root: None,
        warnings: Vec::new(),
        items: Vec::new(),
        entries: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    fn load1(text: &str) -> Loaded {
        load(text, &Limits::default())
    }

    #[test]
    fn positions_are_one_based() {
        let l = load1("a: 1\nb:\n  c: [x, y]\n");
        assert!(l.errors.is_empty());
        let root = &l.docs[0].root;
        assert_eq!(root.locate("b.c"), Pos::new(3, 3));
        let c = root.at("b.c").unwrap();
        assert_eq!(c.items().nth(1).unwrap().pos, Pos::new(3, 10));
    }

    #[test]
    fn multi_document_and_resume_after_error() {
        let l = load1("a: 1\n---\nb: [\n---\nc: 3\n");
        assert_eq!(l.docs.len(), 2, "{l:?}");
        assert_eq!(l.errors.len(), 1);
        assert_eq!(l.docs[1].root.get("c").unwrap().as_i64(), Some(3));
        assert_eq!(l.docs[1].root.pos.line, 5);
        assert_eq!(l.docs[1].index, 2);
    }

    #[test]
    fn crlf_lines() {
        let l = load1("a: 1\r\nb: two\r\n");
        assert!(l.errors.is_empty());
        assert_eq!(l.docs[0].root.get("b").unwrap().as_str(), Some("two"));
        assert_eq!(l.docs[0].root.locate("b").line, 2);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            writeln!(s, "a{i}: &a{i} [{}]", vec![prev; 10].join(", ")).unwrap();
        }
        let l = load1(&s);
        assert_eq!(l.errors.len(), 1);
        assert!(l.errors[0].message.contains("alias"), "{:?}", l.errors);
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let s = "[".repeat(200_000);
        let l = load1(&s);
        assert_eq!(l.errors.len(), 1);
        let mut s = String::new();
        for i in 0..50_000 {
            writeln!(s, "{}- ", " ".repeat(i % 3)).unwrap();
        }
        let _ = load1(&s);
        let mut s = String::new();
        for i in 0..20_000 {
            s.push_str(&" ".repeat(i));
            s.push_str("-\n");
        }
        let l = load1(&s);
        assert!(!l.errors.is_empty());
    }

    #[test]
    fn merge_keys() {
        let l = load1("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        let m = l.docs[0].root.get("m").unwrap();
        assert_eq!(m.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(m.get("y").unwrap().as_i64(), Some(3));
    }

    #[test]
    fn duplicate_keys_warn_and_last_wins() {
        let l = load1("a: 1\na: 2\n");
        assert_eq!(l.warnings.len(), 1);
        assert_eq!(l.docs[0].root.get("a").unwrap().as_i64(), Some(2));
    }

    /// In a mapping with many keys (searched through an index), a duplicate key is found
    /// wherever it is, keeps the first key's place, and the last value wins; the same for
    /// a small mapping searched entry by entry. Merged keys never override.
    #[test]
    fn duplicate_keys_in_large_mappings() {
        for n in [3usize, LINEAR_KEYS - 1, LINEAR_KEYS, LINEAR_KEYS + 1, 200] {
            let mut text = String::new();
            for i in 0..n {
                let _ = writeln!(text, "k{i}: {i}");
            }
            // Duplicates of the first, a middle and the last key, after all keys.
            for i in [0, n / 2, n - 1] {
                let _ = writeln!(text, "k{i}: dup{i}");
            }
            let l = load1(&text);
            assert!(l.errors.is_empty(), "{n}: {:?}", l.errors);
            let dups: std::collections::BTreeSet<usize> = [0, n / 2, n - 1].into_iter().collect();
            assert_eq!(l.warnings.len(), dups.len(), "{n}");
            for (w, i) in l.warnings.iter().zip(&dups) {
                assert!(
                    w.message.contains(&format!("first at line {}", i + 1)),
                    "{n}: {}",
                    w.message
                );
            }
            let root = &l.docs[0].root;
            let entries = root.as_map().unwrap();
            assert_eq!(entries.len(), n, "{n}");
            for (i, (k, v)) in entries.iter().enumerate() {
                assert_eq!(k.name, format!("k{i}"));
                if dups.contains(&i) {
                    assert_eq!(v.as_str(), Some(format!("dup{i}").as_str()));
                } else {
                    assert_eq!(v.as_i64(), Some(i64::try_from(i).unwrap()));
                }
            }
            // The same keys merged into a mapping that sets some of them itself.
            let mut base = String::new();
            for i in 0..n {
                let _ = writeln!(base, "  m{i}: {i}");
            }
            let l = load1(&format!("base: &b\n{base}m:\n  m0: own\n  <<: *b\n"));
            let merged = l.docs[0].root.get("m").unwrap().as_map().unwrap();
            assert_eq!(merged.len(), n, "{n}");
            assert_eq!(merged[0].1.as_str(), Some("own"));
        }
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let l = load1("a: \"true\"\nb: '0'\nc: !!str 5\nd: 5\n");
        let r = &l.docs[0].root;
        assert_eq!(r.get("a").unwrap().as_str(), Some("true"));
        assert_eq!(r.get("b").unwrap().as_str(), Some("0"));
        assert_eq!(r.get("c").unwrap().as_str(), Some("5"));
        assert_eq!(r.get("d").unwrap().as_i64(), Some(5));
    }

    #[test]
    fn json_is_yaml() {
        let l = load1("{\"kind\": \"Pod\",\n \"spec\": {\"hostNetwork\": true}}");
        assert!(l.errors.is_empty());
        assert_eq!(
            l.docs[0].root.at("spec.hostNetwork").unwrap().as_bool(),
            Some(true)
        );
        assert_eq!(l.docs[0].root.locate("spec.hostNetwork").line, 2);
    }
}
