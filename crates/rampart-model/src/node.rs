//! The spanned document tree: every node and every mapping key knows its line and column.

use std::fmt;

/// A 1-based line and column in a source text. `line == 0` means "no position" (for
/// objects that came from a source without text, such as an admission request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub const NONE: Pos = Pos { line: 0, col: 0 };

    pub fn new(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    pub fn is_known(self) -> bool {
        self.line > 0
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// What a scalar resolves to, following the YAML 1.1 rules of the decoder Kubernetes uses
/// (so `privileged: yes` is `true`, exactly as the API server would read it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScalarType {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str,
}

/// The text of a scalar or a mapping key. Up to 24 bytes are stored inline, without an
/// allocation of their own: that covers nearly every key and most values of a manifest,
/// which keeps a large scan's trees small.
pub type Text = compact_str::CompactString;

#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The scalar's text after YAML unquoting and folding.
    pub text: Text,
    pub ty: ScalarType,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: Text,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

impl Node {
    pub fn null(pos: Pos) -> Node {
        Node {
            value: Value::Scalar(Scalar {
                text: Text::default(),
                ty: ScalarType::Null,
            }),
            pos,
        }
    }

    pub fn string(text: impl Into<Text>, pos: Pos) -> Node {
        Node {
            value: Value::Scalar(Scalar {
                text: text.into(),
                ty: ScalarType::Str,
            }),
            pos,
        }
    }

    /// The value of `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|(_, v)| v)
    }

    /// The key and value of `key` when this node is a mapping.
    pub fn get_entry(&self, key: &str) -> Option<(&Key, &Node)> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// Follows a dotted path of mapping keys (`"securityContext.privileged"`).
    pub fn at(&self, path: &str) -> Option<&Node> {
        if path.is_empty() {
            return Some(self);
        }
        path.split('.').try_fold(self, |n, k| n.get(k))
    }

    /// The position a finding about `path` should point at: the key of the deepest part of
    /// the path that exists (the field itself when present, else its nearest existing parent).
    pub fn locate(&self, path: &str) -> Pos {
        let mut node = self;
        let mut pos = self.pos;
        if path.is_empty() {
            return pos;
        }
        for k in path.split('.') {
            match node.get_entry(k) {
                Some((key, v)) => {
                    pos = key.pos;
                    node = v;
                }
                None => break,
            }
        }
        pos
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// Iterates a sequence's items; nothing when the node is not a sequence.
    pub fn items(&self) -> std::slice::Iter<'_, Node> {
        self.as_seq().unwrap_or(&[]).iter()
    }

    /// Iterates a mapping's entries; nothing when the node is not a mapping.
    pub fn entries(&self) -> std::slice::Iter<'_, (Key, Node)> {
        self.as_map().unwrap_or(&[]).iter()
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// A string value (a scalar that resolved to a string).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(Scalar {
                text,
                ty: ScalarType::Str,
            }) => Some(text.as_str()),
            _ => None,
        }
    }

    /// The text of any scalar, whatever it resolved to (`1.10` stays `"1.10"`).
    pub fn scalar_text(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.as_scalar()?.ty {
            ScalarType::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.as_scalar()?.ty {
            ScalarType::Int(i) => Some(i),
            #[allow(clippy::cast_precision_loss)]
            ScalarType::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(
            self.value,
            Value::Scalar(Scalar {
                ty: ScalarType::Null,
                ..
            })
        )
    }

    /// Number of nodes in this subtree (itself included).
    pub fn count(&self) -> usize {
        1 + match &self.value {
            Value::Scalar(_) => 0,
            Value::Seq(s) => s.iter().map(Node::count).sum(),
            Value::Map(m) => m.iter().map(|(_, v)| v.count()).sum(),
        }
    }

    /// Builds a position-less tree from JSON, for sources without text (admission
    /// requests, objects read from a cluster).
    pub fn from_json(v: &serde_json::Value) -> Node {
        let value = match v {
            serde_json::Value::Null => return Node::null(Pos::NONE),
            serde_json::Value::Bool(b) => Value::Scalar(Scalar {
                text: Text::const_new(if *b { "true" } else { "false" }),
                ty: ScalarType::Bool(*b),
            }),
            serde_json::Value::Number(n) => Value::Scalar(Scalar {
                text: Text::from(n.to_string()),
                ty: n.as_i64().map_or_else(
                    || ScalarType::Float(n.as_f64().unwrap_or(f64::NAN)),
                    ScalarType::Int,
                ),
            }),
            serde_json::Value::String(s) => return Node::string(s.as_str(), Pos::NONE),
            serde_json::Value::Array(a) => Value::Seq(a.iter().map(Node::from_json).collect()),
            serde_json::Value::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| {
                        (
                            Key {
                                name: Text::from(k.as_str()),
                                pos: Pos::NONE,
                            },
                            Node::from_json(v),
                        )
                    })
                    .collect(),
            ),
        };
        Node {
            value,
            pos: Pos::NONE,
        }
    }

    /// Converts the tree to JSON (positions are dropped).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Scalar(s) => match s.ty {
                ScalarType::Null => serde_json::Value::Null,
                ScalarType::Bool(b) => serde_json::Value::Bool(b),
                ScalarType::Int(i) => serde_json::Value::from(i),
                ScalarType::Float(f) => serde_json::Number::from_f64(f).map_or_else(
                    || serde_json::Value::String(s.text.to_string()),
                    serde_json::Value::Number,
                ),
                ScalarType::Str => serde_json::Value::String(s.text.to_string()),
            },
            Value::Seq(items) => serde_json::Value::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Resolves a plain (unquoted) scalar the way YAML 1.1 does in the decoder Kubernetes
/// tooling uses: `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `0777` is octal.
pub fn resolve_plain(text: &str) -> ScalarType {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarType::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return ScalarType::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return ScalarType::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return ScalarType::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return ScalarType::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return ScalarType::Float(f64::NAN),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return ScalarType::Str;
    }
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match cleaned.as_bytes().first() {
        Some(b'-') => (true, &cleaned[1..]),
        Some(b'+') => (false, &cleaned[1..]),
        _ => (false, cleaned.as_str()),
    };
    let int = if let Some(hex) = body.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(bin) = body.strip_prefix("0b") {
        i64::from_str_radix(bin, 2).ok()
    } else if let Some(oct) = body.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()
    } else if body.len() > 1 && body.starts_with('0') && body.bytes().all(|b| b.is_ascii_digit()) {
        i64::from_str_radix(&body[1..], 8).ok()
    } else if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
        body.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(i) = int {
        return ScalarType::Int(if neg { -i } else { i });
    }
    if is_float(body)
        && let Ok(f) = cleaned.parse::<f64>()
    {
        return ScalarType::Float(f);
    }
    ScalarType::Str
}

fn is_float(s: &str) -> bool {
    // [0-9]*\.?[0-9]*([eE][-+]?[0-9]+)? with at least one digit in the mantissa
    let b = s.as_bytes();
    let mut i = 0;
    let mut digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_booleans_like_kubernetes() {
        assert_eq!(resolve_plain("yes"), ScalarType::Bool(true));
        assert_eq!(resolve_plain("Off"), ScalarType::Bool(false));
        assert_eq!(resolve_plain("y"), ScalarType::Bool(true));
        assert_eq!(resolve_plain("yess"), ScalarType::Str);
    }

    #[test]
    fn numbers() {
        assert_eq!(resolve_plain("0"), ScalarType::Int(0));
        assert_eq!(resolve_plain("-12"), ScalarType::Int(-12));
        assert_eq!(resolve_plain("0644"), ScalarType::Int(0o644));
        assert_eq!(resolve_plain("0x1F"), ScalarType::Int(31));
        assert_eq!(resolve_plain("1_000"), ScalarType::Int(1000));
        assert_eq!(resolve_plain("1.5"), ScalarType::Float(1.5));
        assert_eq!(resolve_plain("1e3"), ScalarType::Float(1000.0));
        assert_eq!(resolve_plain("1.2.3"), ScalarType::Str);
        assert_eq!(resolve_plain("500m"), ScalarType::Str);
        assert_eq!(resolve_plain("-"), ScalarType::Str);
        assert_eq!(resolve_plain("."), ScalarType::Str);
        assert!(matches!(
            resolve_plain("99999999999999999999"),
            ScalarType::Float(_)
        ));
    }

    #[test]
    fn nulls() {
        assert_eq!(resolve_plain(""), ScalarType::Null);
        assert_eq!(resolve_plain("~"), ScalarType::Null);
        assert_eq!(resolve_plain("null"), ScalarType::Null);
    }
}
