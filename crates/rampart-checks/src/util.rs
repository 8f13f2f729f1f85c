//! Small helpers shared by checks.

use rampart_model::{Container, Node, Object, PodSpec, Pos};

/// Where an effective security setting comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Container,
    Pod,
}

/// A container security context field, falling back to the pod security context for the
/// fields Kubernetes inherits (`runAsUser`, `runAsNonRoot`, `seccompProfile`, ...).
pub fn effective<'a>(c: &Container<'a>, field: &str) -> Option<(&'a Node, Origin)> {
    if let Some(v) = c.node.get("securityContext").and_then(|sc| sc.at(field))
        && !v.is_null()
    {
        return Some((v, Origin::Container));
    }
    c.pod
        .node
        .get("securityContext")
        .and_then(|sc| sc.at(field))
        .filter(|v| !v.is_null())
        .map(|v| (v, Origin::Pod))
}

/// Calls `f` for every container (init, regular, ephemeral) of the object's pod spec.
pub fn for_each_container<'a>(obj: &'a Object, mut f: impl FnMut(&Container<'a>)) {
    if let Some(pod) = PodSpec::of(obj) {
        for c in pod.containers() {
            f(&c);
        }
    }
}

/// A human label for a container: `container "web"`, `init container "setup"`.
pub fn label(c: &Container<'_>) -> String {
    let kind = match c.kind {
        rampart_model::ContainerKind::Init => "init container",
        rampart_model::ContainerKind::Regular => "container",
        rampart_model::ContainerKind::Ephemeral => "ephemeral container",
    };
    format!("{kind} \"{}\"", c.name)
}

/// The capability names in a container's `securityContext.capabilities.<list>` with their
/// nodes, normalised to upper case without a `CAP_` prefix.
pub fn capabilities<'a>(c: &Container<'a>, list: &str) -> Vec<(String, &'a Node)> {
    c.node
        .at("securityContext.capabilities")
        .and_then(|caps| caps.get(list))
        .map(Node::items)
        .unwrap_or_default()
        .filter_map(|n| {
            let s = n.scalar_text()?;
            let up = s.trim().to_ascii_uppercase();
            Some((up.strip_prefix("CAP_").map_or(up.clone(), str::to_string), n))
        })
        .collect()
}

/// Simple glob matching with `*` (any run of characters) and `?` (one character).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    // Nearly every pattern and text is ASCII: matched as bytes, with no allocation. `?`
    // matches one character, so other texts are matched as characters.
    if pattern.is_ascii() && text.is_ascii() {
        return glob_match_items(pattern.as_bytes(), text.as_bytes(), b'*', b'?');
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob_match_items(&p, &t, '*', '?')
}

fn glob_match_items<T: PartialEq + Copy>(p: &[T], t: &[T], star_item: T, any: T) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == any || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == star_item {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == star_item {
        pi += 1;
    }
    pi == p.len()
}

/// Whether the pod declares itself a Windows pod (`spec.os.name: windows`). The API server
/// rejects Linux-only security settings (capabilities, seccomp, `runAsUser`,
/// `allowPrivilegeEscalation`, `readOnlyRootFilesystem`, ...) in such pods, so checks that
/// require one of them skip Windows pods.
pub fn is_windows(pod: &PodSpec<'_>) -> bool {
    pod.node.at("os.name").and_then(Node::scalar_text) == Some("windows")
}

/// Where a finding about an effective security setting found by [`effective`] points: the
/// key of `field` in the container's or in the pod's `securityContext`.
pub fn effective_pos(c: &Container<'_>, field: &str, origin: Origin) -> Pos {
    let path = format!("securityContext.{field}");
    match origin {
        Origin::Container => c.node.locate(&path),
        Origin::Pod => c.pod.node.locate(&path),
    }
}

/// A `hostPath` volume of a pod spec.
#[derive(Debug, Clone)]
pub struct HostPathVolume<'a> {
    /// Dotted path of the volume's `hostPath` field inside the object
    /// (`spec.template.spec.volumes[2].hostPath`).
    pub field: String,
    /// The volume's name.
    pub name: &'a str,
    /// Position of the `hostPath` key.
    pub key_pos: Pos,
    /// `hostPath.path` as written, with the position of its key, when set.
    pub path: Option<(&'a str, Pos)>,
}

/// The `hostPath` volumes of a pod spec (a `hostPath: null` is no host path).
pub fn host_path_volumes<'a>(pod: &PodSpec<'a>) -> Vec<HostPathVolume<'a>> {
    pod.node
        .get("volumes")
        .map(Node::items)
        .unwrap_or_default()
        .enumerate()
        .filter_map(|(index, v)| {
            let (key, hp) = v.get_entry("hostPath")?;
            if hp.is_null() {
                return None;
            }
            Some(HostPathVolume {
                field: format!("{}.volumes[{index}].hostPath", pod.path),
                name: v.get("name").and_then(Node::scalar_text).unwrap_or(""),
                key_pos: key.pos,
                path: hp
                    .get_entry("path")
                    .and_then(|(k, p)| Some((p.scalar_text()?, k.pos))),
            })
        })
        .collect()
}

/// Normalises a host path lexically: repeated and trailing slashes and `.` segments are
/// dropped and `..` removes the previous segment (never going above `/`), so
/// `/var//run/../lib/kubelet/` becomes `/var/lib/kubelet`. The result always starts with
/// `/`. Symbolic links on the node cannot be resolved and are not.
pub fn normalize_host_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Whether the normalised host path `path` is the directory `dir` or inside it.
pub fn path_within(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// Like [`capabilities`], with each item's index in its list, for finding paths such as
/// `securityContext.capabilities.add[1]`.
pub fn capabilities_indexed<'a>(c: &Container<'a>, list: &str) -> Vec<(usize, String, &'a Node)> {
    let items = c
        .node
        .at("securityContext.capabilities")
        .and_then(|caps| caps.get(list))
        .map(Node::items)
        .unwrap_or_default();
    capabilities(c, list)
        .into_iter()
        .map(|(name, n)| {
            (
                items.clone().position(|i| std::ptr::eq(i, n)).unwrap_or(0),
                name,
                n,
            )
        })
        .collect()
}

/// Levenshtein distance between two strings (for "did you mean" suggestions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("calico-*", "calico-node"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(!glob_match("kube-*", "default"));
        assert!(glob_match("*-system", "kube-system"));
        // `?` is one character, also outside ASCII.
        assert!(glob_match("caf?", "caf\u{e9}"));
        assert!(!glob_match("caf??", "caf\u{e9}"));
        assert!(glob_match("*\u{e9}*", "r\u{e9}sum\u{e9}"));
        assert!(!glob_match("a*b*c", "acb"));
        assert!(glob_match("a*b*c", "axxbyyc"));
    }
}
