//! The pod spec inside a workload, whatever its kind: checks see "a pod spec with its
//! containers, init containers and ephemeral containers".

use crate::node::Node;
use crate::object::Object;

/// Where a kind keeps its pod spec and the pod template's metadata.
#[derive(Debug)]
struct PodSpecLocation {
    spec: &'static str,
    template_metadata: Option<&'static str>,
}

const POD: PodSpecLocation = PodSpecLocation {
    spec: "spec",
    template_metadata: None,
};
const TEMPLATE: PodSpecLocation = PodSpecLocation {
    spec: "spec.template.spec",
    template_metadata: Some("spec.template.metadata"),
};
const CRONJOB: PodSpecLocation = PodSpecLocation {
    spec: "spec.jobTemplate.spec.template.spec",
    template_metadata: Some("spec.jobTemplate.spec.template.metadata"),
};
const POD_TEMPLATE: PodSpecLocation = PodSpecLocation {
    spec: "template.spec",
    template_metadata: Some("template.metadata"),
};

fn location(obj: &Object) -> Option<&'static PodSpecLocation> {
    location_of(obj.group(), &obj.kind)
}

fn location_of(group: &str, kind: &str) -> Option<&'static PodSpecLocation> {
    Some(match kind {
        "Pod" if group.is_empty() => &POD,
        "PodTemplate" if group.is_empty() => &POD_TEMPLATE,
        "ReplicationController" if group.is_empty() => &TEMPLATE,
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
            if matches!(group, "apps" | "extensions" | "apps.openshift.io") =>
        {
            &TEMPLATE
        }
        "Job" if group == "batch" => &TEMPLATE,
        "CronJob" if group == "batch" => &CRONJOB,
        "Rollout" if group == "argoproj.io" => &TEMPLATE,
        "DeploymentConfig" if group.is_empty() || group == "apps.openshift.io" => &TEMPLATE,
        _ => return None,
    })
}

/// A path of mapping keys written as the index of each key in its mapping.
#[derive(Debug, Clone, Copy)]
struct IndexPath {
    len: u8,
    idx: [u32; 5],
}

impl IndexPath {
    /// The indexes of a dotted path of keys, the first entry of each key as
    /// [`Node::get`] finds it.
    fn find(root: &Node, path: &str) -> Option<IndexPath> {
        let mut p = IndexPath { len: 0, idx: [0; 5] };
        let mut node = root;
        for key in path.split('.') {
            let entries = node.as_map()?;
            let i = entries.iter().position(|(k, _)| k.name == key)?;
            *p.idx.get_mut(usize::from(p.len))? = u32::try_from(i).ok()?;
            p.len += 1;
            node = &entries[i].1;
        }
        Some(p)
    }

    fn follow<'a>(&self, root: &'a Node) -> Option<&'a Node> {
        self.idx[..usize::from(self.len)]
            .iter()
            .try_fold(root, |n, &i| n.as_map()?.get(i as usize).map(|(_, v)| v))
    }
}

/// Where an object's pod spec and pod metadata are, found once when the object is read:
/// many checks ask for the pod spec of every object, and following indexes is cheaper than
/// searching the same mappings for the same keys each time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PodSpecIndex {
    loc: &'static PodSpecLocation,
    spec: IndexPath,
    metadata: Option<IndexPath>,
}

impl PodSpecIndex {
    /// The index of the pod spec of an object with this API version, kind and tree; None
    /// when the kind has none, or it is missing or not a mapping.
    pub(crate) fn find(api_version: &str, kind: &str, root: &Node) -> Option<PodSpecIndex> {
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let loc = location_of(group, kind)?;
        let spec = IndexPath::find(root, loc.spec)?;
        spec.follow(root)?.as_map()?;
        let metadata = IndexPath::find(root, loc.template_metadata.unwrap_or("metadata"));
        Some(PodSpecIndex { loc, spec, metadata })
    }
}

/// Whether objects of this kind carry a pod spec (so a missing one means the object could
/// not be evaluated).
pub fn is_workload(obj: &Object) -> bool {
    location(obj).is_some()
}

/// The kind of a container slot in a pod spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub const ALL: [ContainerKind; 3] = [
        ContainerKind::Init,
        ContainerKind::Regular,
        ContainerKind::Ephemeral,
    ];

    /// The pod spec field holding this kind of container.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// A pod spec found in an object.
#[derive(Debug, Clone, Copy)]
pub struct PodSpec<'a> {
    pub node: &'a Node,
    /// Dotted path of the pod spec inside the object (`spec.template.spec`).
    pub path: &'static str,
    /// The pod's metadata: the template's for controllers, the object's for a Pod.
    pub metadata: Option<&'a Node>,
}

/// One container of a pod spec.
#[derive(Debug, Clone, Copy)]
pub struct Container<'a> {
    pub node: &'a Node,
    pub kind: ContainerKind,
    pub index: usize,
    pub name: &'a str,
    pub pod: PodSpec<'a>,
}

impl Container<'_> {
    /// The container's path inside the object (`spec.template.spec.containers[0]`).
    pub fn path(&self) -> String {
        format!("{}.{}[{}]", self.pod.path, self.kind.field(), self.index)
    }
}

impl<'a> PodSpec<'a> {
    /// The pod spec of a workload, or None when the kind has none or it is missing.
    pub fn of(obj: &'a Object) -> Option<PodSpec<'a>> {
        let index = obj.pod.as_ref()?;
        Some(PodSpec {
            node: index.spec.follow(&obj.root)?,
            path: index.loc.spec,
            metadata: index.metadata.and_then(|m| m.follow(&obj.root)),
        })
    }

    /// All containers: init containers, containers, then ephemeral containers.
    pub fn containers(&self) -> impl Iterator<Item = Container<'a>> + 'a {
        let pod = *self;
        ContainerKind::ALL.into_iter().flat_map(move |kind| {
            pod.node
                .get(kind.field())
                .map(Node::items)
                .unwrap_or_default()
                .enumerate()
                .filter(|(_, c)| c.as_map().is_some())
                .map(move |(index, node)| Container {
                    node,
                    kind,
                    index,
                    name: node.get("name").and_then(Node::scalar_text).unwrap_or(""),
                    pod,
                })
        })
    }

    /// A pod annotation (on the pod template for controllers).
    pub fn annotation(&self, key: &str) -> Option<&'a Node> {
        self.metadata?.get("annotations")?.get(key)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{PodSpec, location};
    use crate::{Limits, Source, parse_source};

    /// The pod spec found through the index read with the object is the one a search of
    /// the tree by key names finds, for every kind that has one and for broken shapes.
    #[test]
    fn index_finds_what_a_key_search_finds() {
        let docs = [
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {a: b}}\nspec: {containers: [{name: c}]}",
            "kind: Pod\napiVersion: v1\nspec: {containers: [{name: c}]}",
            "apiVersion: v1\nkind: PodTemplate\ntemplate: {metadata: {name: t}, spec: {containers: []}}",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 1\n  template:\n    spec: {containers: [{name: x}]}\n    metadata: {labels: {app: d}}",
            "apiVersion: batch/v1\nkind: CronJob\nspec: {schedule: x, jobTemplate: {spec: {template: {metadata: {}, spec: {containers: [{name: j}]}}}}}",
            "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec: {template: {spec: {containers: [{name: r}]}}}",
            "apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nspec: {template: {spec: {containers: []}}}",
            "apiVersion: apps/v1\nkind: Deployment\nspec: {template: {spec: [not, a, map]}}",
            "apiVersion: apps/v1\nkind: Deployment\nspec: {template: 3}",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}",
            "apiVersion: v1\nkind: Pod\nspec: null",
            "apiVersion: example.com/v1\nkind: Deployment\nspec: {template: {spec: {containers: []}}}",
            "apiVersion: v1\nkind: ConfigMap\ndata: {spec: x}",
        ];
        let mut found = 0;
        for text in docs {
            let source = Arc::new(Source::new("t.yaml".into(), Some(text.to_string())));
            let parsed = parse_source(&source, &Limits::default());
            assert!(parsed.errors.is_empty(), "{text}: {:?}", parsed.errors);
            let [obj] = parsed.objects.as_slice() else {
                panic!("{text}: one object expected");
            };
            let expected = location(obj).and_then(|loc| {
                let node = obj.root.at(loc.spec).filter(|n| n.as_map().is_some())?;
                let metadata = obj.root.at(loc.template_metadata.unwrap_or("metadata"));
                Some((loc.spec, node, metadata))
            });
            let got = PodSpec::of(obj).map(|p| (p.path, p.node, p.metadata));
            match (expected, got) {
                (None, None) => {}
                (Some(e), Some(g)) => {
                    found += 1;
                    assert_eq!(e.0, g.0, "{text}");
                    assert!(std::ptr::eq(e.1, g.1), "{text}: another node");
                    assert_eq!(e.2.map(std::ptr::from_ref), g.2.map(std::ptr::from_ref), "{text}");
                }
                (e, g) => panic!("{text}: expected {:?}, got {:?}", e.is_some(), g.is_some()),
            }
        }
        assert_eq!(found, 7);
    }
}
