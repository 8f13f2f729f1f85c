//! The Kubernetes API schema of the built-in kinds, for every minor version from 1.25 on:
//! which fields each type has and what JSON type each field takes. Generated from the
//! Kubernetes OpenAPI specification by `tools/kubernetes-schema/generate.py` into
//! `data/kubernetes-schema.json` and parsed once, on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value as Json;

const DATA: &str = include_str!("../data/kubernetes-schema.json");

/// A field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String,
    Integer,
    Number,
    Boolean,
    /// An integer or a string (`IntOrString`: ports, `maxUnavailable`).
    IntOrString,
    /// A number or a string (`Quantity`: `cpu: 500m`, `memory: 1Gi`, `cpu: 2`).
    NumberOrString,
    /// Any mapping (`RawExtension`, `FieldsV1`).
    Object,
    /// Anything at all (`JSON` in CustomResourceDefinition schemas).
    Any,
    /// An object of a named type.
    Ref(usize),
    List(Box<Ty>),
    Map(Box<Ty>),
}

/// One named object type (`core.v1.Container`).
#[derive(Debug)]
pub struct TypeDef {
    pub name: String,
    /// The versions that have this type (bit i = `Schema::versions[i]`).
    pub mask: u32,
    /// Sorted by field name. Each field lists its type per set of versions.
    fields: Vec<(String, Vec<(Ty, u32)>)>,
    /// An open-addressing hash table of `fields` (index + 1, 0 for an empty slot), its
    /// length a power of two at least twice the number of fields. Every key of every
    /// object of a scan is looked up here, so a lookup hashes the name once and compares
    /// one name in the common case.
    slots: Vec<u16>,
}

/// A hash of a field name good enough for a table of a few dozen names: its length and its
/// first and last eight bytes, mixed. No memory beyond the name is read.
fn name_hash(name: &str) -> u64 {
    let b = name.as_bytes();
    let word = |s: &[u8]| {
        let mut w = [0u8; 8];
        w[..s.len()].copy_from_slice(s);
        u64::from_le_bytes(w)
    };
    let n = b.len();
    let head = word(&b[..n.min(8)]);
    let tail = word(&b[n.saturating_sub(8)..]);
    (head ^ tail.rotate_left(29) ^ (n as u64).rotate_left(53)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The slot table of [`TypeDef::slots`] for these names.
fn slot_table(names: &[&str]) -> Result<Vec<u16>, String> {
    let len = (names.len() * 2).next_power_of_two().max(2);
    let mut slots = vec![0u16; len];
    for (i, name) in names.iter().enumerate() {
        let mut s = slot_of(name_hash(name), len);
        while slots[s] != 0 {
            s = (s + 1) & (len - 1);
        }
        slots[s] = u16::try_from(i + 1).map_err(|_| "too many fields in one type".to_string())?;
    }
    Ok(slots)
}

fn slot_of(hash: u64, len: usize) -> usize {
    // The high bits are the best mixed; `len` is a power of two.
    (hash >> (64 - len.trailing_zeros())) as usize
}

impl TypeDef {
    /// The short name users know (`Container`, `PodSpec`).
    pub fn short_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }

    /// The field's entry: its type per set of versions.
    pub fn field(&self, name: &str) -> Option<&[(Ty, u32)]> {
        let len = self.slots.len();
        let mut s = slot_of(name_hash(name), len);
        loop {
            let i = usize::from(self.slots[s]).checked_sub(1)?;
            let (n, variants) = &self.fields[i];
            if n == name {
                return Some(variants.as_slice());
            }
            s = (s + 1) & (len - 1);
        }
    }

    /// The field names that exist in the version with bit `bit`.
    pub fn field_names(&self, bit: u32) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter(move |(_, v)| v.iter().any(|(_, m)| m & bit != 0))
            .map(|(n, _)| n.as_str())
    }
}

#[derive(Debug)]
pub struct Schema {
    /// Minor versions, oldest first (`25` for Kubernetes 1.25).
    pub versions: Vec<u32>,
    /// API version, then kind: looked up without building a key.
    kinds: HashMap<String, HashMap<String, (usize, u32)>>,
    pub types: Vec<TypeDef>,
}

/// Which version of the schema a target Kubernetes version is judged with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionIndex {
    pub minor: u32,
    pub bit: u32,
}

impl Schema {
    /// The schema, parsed on first use.
    pub fn get() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| Schema::parse(DATA).expect("the bundled Kubernetes schema is valid"))
    }

    /// The schema version used for a target minor version: the same minor when the schema
    /// has it, else the oldest (for older targets) or the newest (for newer ones).
    pub fn version(&self, minor: u32) -> VersionIndex {
        let i = match self.versions.binary_search(&minor) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        VersionIndex {
            minor: self.versions[i],
            bit: 1 << i,
        }
    }

    /// The versions in a mask, as a short phrase ("1.33 and later", "1.25 to 1.30").
    pub fn describe(&self, mask: u32) -> String {
        let present: Vec<u32> = self
            .versions
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, v)| *v)
            .collect();
        let (Some(first), Some(last)) = (present.first(), present.last()) else {
            return "no version".to_string();
        };
        let contiguous = present.windows(2).all(|w| w[1] == w[0] + 1);
        let newest = *self.versions.last().unwrap_or(&0);
        let oldest = *self.versions.first().unwrap_or(&0);
        if !contiguous {
            return present
                .iter()
                .map(|v| format!("1.{v}"))
                .collect::<Vec<_>>()
                .join(", ");
        }
        match (*first == oldest, *last == newest) {
            (_, true) if first == last => format!("1.{first}"),
            (false, true) => format!("1.{first} and later"),
            (true, false) => format!("1.{last} and earlier"),
            _ if first == last => format!("1.{first}"),
            _ => format!("1.{first} to 1.{last}"),
        }
    }

    /// The root type of a built-in kind, with the versions that serve it.
    pub fn kind(&self, api_version: &str, kind: &str) -> Option<(&TypeDef, u32)> {
        self.kinds
            .get(api_version)?
            .get(kind)
            .map(|(t, m)| (&self.types[*t], *m))
    }

    fn parse(text: &str) -> Result<Schema, String> {
        let doc: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let versions = doc["versions"]
            .as_array()
            .ok_or("versions")?
            .iter()
            .map(|v| {
                v.as_str()
                    .and_then(|s| s.strip_prefix("1."))
                    .and_then(|m| m.parse().ok())
                    .ok_or("version")
            })
            .collect::<Result<Vec<u32>, _>>()?;
        let full = (1u32 << versions.len()) - 1;
        let types_json = doc["types"].as_object().ok_or("types")?;
        let index: HashMap<&str, usize> = types_json
            .keys()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let mut types = Vec::with_capacity(types_json.len());
        for (name, fields_json) in types_json {
            let fields_json = fields_json.as_object().ok_or("type")?;
            let mask = fields_json
                .get("@versions")
                .and_then(Json::as_u64)
                .map_or(full, |m| u32::try_from(m).unwrap_or(full));
            let mut fields = Vec::new();
            for (f, v) in fields_json {
                if f == "@versions" {
                    continue;
                }
                let variants = match v {
                    Json::String(s) => vec![(parse_ty(s, &index)?, mask)],
                    Json::Array(items) => items
                        .iter()
                        .map(|pair| {
                            let ty = pair[0].as_str().ok_or("variant type")?;
                            let m = pair[1].as_u64().ok_or("variant mask")?;
                            Ok((parse_ty(ty, &index)?, u32::try_from(m).map_err(|_| "mask")?))
                        })
                        .collect::<Result<Vec<_>, String>>()?,
                    _ => return Err(format!("{name}.{f}")),
                };
                fields.push((f.clone(), variants));
            }
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
            let slots = slot_table(&names)?;
            types.push(TypeDef {
                name: name.clone(),
                mask,
                fields,
                slots,
            });
        }
        let mut kinds: HashMap<String, HashMap<String, (usize, u32)>> = HashMap::new();
        for k in doc["kinds"].as_array().ok_or("kinds")? {
            let api = k[0].as_str().ok_or("kind api")?;
            let kind = k[1].as_str().ok_or("kind")?;
            let t = *index.get(k[2].as_str().ok_or("kind type")?).ok_or("kind type")?;
            let m = u32::try_from(k[3].as_u64().ok_or("kind mask")?).map_err(|_| "mask")?;
            kinds
                .entry(api.to_string())
                .or_default()
                .insert(kind.to_string(), (t, m));
        }
        Ok(Schema {
            versions,
            kinds,
            types,
        })
    }
}

fn parse_ty(s: &str, index: &HashMap<&str, usize>) -> Result<Ty, String> {
    if let Some(rest) = s.strip_prefix("[]") {
        return Ok(Ty::List(Box::new(parse_ty(rest, index)?)));
    }
    if let Some(rest) = s.strip_prefix("{}") {
        return Ok(Ty::Map(Box::new(parse_ty(rest, index)?)));
    }
    if let Some(name) = s.strip_prefix('#') {
        return index
            .get(name)
            .map(|i| Ty::Ref(*i))
            .ok_or_else(|| format!("unknown type {name}"));
    }
    Ok(match s {
        "string" => Ty::String,
        "integer" => Ty::Integer,
        "number" => Ty::Number,
        "boolean" => Ty::Boolean,
        "int-or-string" => Ty::IntOrString,
        "number-or-string" => Ty::NumberOrString,
        "object" => Ty::Object,
        "any" => Ty::Any,
        other => return Err(format!("unknown type notation {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_schema_parses_and_knows_the_common_kinds() {
        let s = Schema::get();
        assert!(s.versions.len() >= 13, "{:?}", s.versions);
        assert_eq!(s.versions.first(), Some(&25));
        for (api, kind) in [
            ("v1", "Pod"),
            ("apps/v1", "Deployment"),
            ("batch/v1", "CronJob"),
            ("networking.k8s.io/v1", "Ingress"),
            ("rbac.authorization.k8s.io/v1", "ClusterRole"),
            ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
        ] {
            assert!(s.kind(api, kind).is_some(), "{api} {kind}");
        }
        assert!(s.kind("v1", "PodList").is_none());
        assert!(s.kind("monitoring.coreos.com/v1", "ServiceMonitor").is_none());
    }

    /// Every field of every type of the bundled schema is found by name, and names one
    /// edit away that are not fields are not.
    #[test]
    fn every_field_is_found_and_no_other_name() {
        let s = Schema::get();
        let mut checked = 0;
        for t in &s.types {
            let names: std::collections::HashSet<&str> = t.fields.iter().map(|(n, _)| n.as_str()).collect();
            for (name, variants) in &t.fields {
                assert!(
                    std::ptr::eq(t.field(name).expect(name), variants.as_slice()),
                    "{}.{name}",
                    t.name
                );
                for other in [
                    format!("{name}x"),
                    format!("x{name}"),
                    name[1..].to_string(),
                    name.to_uppercase(),
                ] {
                    if !names.contains(other.as_str()) {
                        assert!(t.field(&other).is_none(), "{}.{other}", t.name);
                    }
                }
                checked += 1;
            }
            assert!(t.field("").is_none());
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn fields_and_versions() {
        let s = Schema::get();
        let (pod, _) = s.kind("v1", "Pod").expect("pod");
        let Some([(Ty::Ref(spec), _)]) = pod.field("spec") else {
            panic!("spec is a PodSpec");
        };
        let spec = &s.types[*spec];
        assert_eq!(spec.short_name(), "PodSpec");
        assert!(matches!(spec.field("containers"), Some([(Ty::List(_), _)])));
        assert!(spec.field("securityContex").is_none());
        // resources.claims came with 1.26.
        let (_, t) = s
            .types
            .iter()
            .enumerate()
            .find(|(_, t)| t.name == "core.v1.ResourceRequirements")
            .expect("ResourceRequirements");
        let claims = t.field("claims").expect("claims");
        assert_eq!(claims[0].1 & s.version(25).bit, 0);
        assert_ne!(claims[0].1 & s.version(26).bit, 0);
        assert_eq!(s.describe(claims[0].1), "1.26 and later");
    }

    #[test]
    fn target_versions_outside_the_schema_use_the_nearest() {
        let s = Schema::get();
        assert_eq!(s.version(20).minor, 25);
        assert_eq!(s.version(30).minor, 30);
        assert_eq!(s.version(99).minor, *s.versions.last().unwrap());
    }
}
