//! The pod spec inside a workload, whatever its kind: checks see "a pod spec with its
//! containers, init containers and ephemeral containers".

use crate::node::Node;
use crate::object::Object;

/// Where a kind keeps its pod spec and the pod template's metadata.
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
    let group = obj.group();
    Some(match obj.kind.as_str() {
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
        let loc = location(obj)?;
        let node = obj.root.at(loc.spec)?;
        node.as_map()?;
        let metadata = match loc.template_metadata {
            Some(p) => obj.root.at(p),
            None => obj.metadata(),
        };
        Some(PodSpec {
            node,
            path: loc.spec,
            metadata,
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
