use std::fmt::Write as _;

use rampart_model::{Node, Object, Pos, ScalarType, Value};

use crate::schema::{Schema, Ty, TypeDef, VersionIndex};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, KUBERNETES_VERSION_PARAM, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "schema-validation",
        title: "Field unknown to the Kubernetes API, or of the wrong type",
        severity: Severity::Medium,
        category: Category::Hygiene,
        target: Target::Any,
        finds: "Fields of built-in kinds that the Kubernetes API of the version in \
                `kubernetes-version` does not have (a typo such as `securityContex`, a \
                wrong case such as `ImagePullPolicy`, a field at the wrong level, or one that \
                only newer releases know), and values of the wrong type: a string where the \
                API wants an integer (`replicas: \"3\"`), a number or an unquoted `yes`/`on` \
                where it wants a string (an env `value: 8080`, an annotation `true`), a \
                scalar where it wants a mapping or a list. Values are read the way \
                Kubernetes' YAML decoder reads them (YAML 1.1: `yes`, `no`, `on` and `off` \
                are booleans). Custom resources and API versions the schema does not know \
                are not judged; removed API versions are `removed-api-version`'s.",
        why: "Kubernetes drops unknown fields unless the client asks for strict validation: \
              with `kubectl apply --validate=false`, older kubectl, many Helm and GitOps \
              setups and API clients, a misspelled `securityContex:` or `readOnlyRootFileSystem:` \
              is silently thrown away, and the protection it was meant to switch on never \
              exists in the cluster while the manifest looks right in review. Wrong types are \
              rejected by the API server, so the deployment fails at apply time instead of in \
              CI, often halfway through a release.",
        remediation: "Fix the field name (the finding suggests the closest field that exists), \
                      move the field to the level the API defines it at, or quote the value \
                      so it is the type the API wants. For a field that only newer Kubernetes \
                      releases know, raise `kubernetes-version` once every cluster runs that \
                      release.",
        example: "spec:\n  containers:\n    - name: web\n      image: registry.example.com/web@sha256:...\n      securityContext:          # not securityContex\n        readOnlyRootFilesystem: true\n      env:\n        - name: PORT\n          value: \"8080\"          # a string, quoted\n",
        references: &[
            "https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation",
            "https://kubernetes.io/docs/reference/kubernetes-api/",
        ],
        params: &[KUBERNETES_VERSION_PARAM],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let schema = Schema::get();
    let Some((root, kind_mask)) = schema.kind(&obj.api_version, &obj.kind) else {
        return; // a custom resource, or an API version the schema does not know
    };
    let target = ctx
        .params
        .version("kubernetes-version")
        .unwrap_or(crate::NEWEST_KUBERNETES_MINOR);
    let version = schema.version(target);
    if kind_mask & version.bit == 0 {
        return; // not served by this version: removed-api-version reports it
    }
    let mut walk = Walk {
        schema,
        version,
        problems: Vec::new(),
        path: String::new(),
    };
    walk.object(&obj.root, root);
    for p in walk.problems {
        out.object_at(p.pos, &p.path, p.message);
    }
}

struct Problem {
    pos: Pos,
    path: String,
    message: String,
}

struct Walk<'s> {
    schema: &'s Schema,
    version: VersionIndex,
    problems: Vec<Problem>,
    /// The path of the node being walked. One buffer for the whole walk: the path is
    /// copied out only for a problem, not built for every node visited.
    path: String,
}

impl Walk<'_> {
    /// Appends `.key` (or `key` at the root) to the current path; returns the length to
    /// truncate back to.
    fn enter_key(&mut self, key: &str) -> usize {
        let len = self.path.len();
        if len > 0 {
            self.path.push('.');
        }
        self.path.push_str(key);
        len
    }

    fn object(&mut self, node: &Node, ty: &TypeDef) {
        for (key, value) in node.entries() {
            let len = self.enter_key(&key.name);
            match ty.field(&key.name) {
                Some(variants) => match variants.iter().find(|(_, m)| m & self.version.bit != 0) {
                    Some((fty, _)) => self.value(value, fty),
                    None => {
                        let field_path = self.path.clone();
                        let mask = variants.iter().fold(0, |acc, (_, m)| acc | m);
                        self.problems.push(Problem {
                            pos: key.pos,
                            message: format!(
                                "`{field_path}` is not a field of {} in Kubernetes 1.{}; only \
                                 Kubernetes {} has it",
                                ty.short_name(),
                                self.version.minor,
                                self.schema.describe(mask)
                            ),
                            path: field_path,
                        });
                    }
                },
                // Strategic merge patch directives (`$patch: delete`, `$retainKeys`) in
                // kustomize patches are not fields.
                None if key.name.starts_with('$') => {}
                None => {
                    let field_path = self.path.clone();
                    let hint = suggest(&key.name, ty.field_names(self.version.bit))
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .or_else(|| self.nested(ty, &key.name).map(|p| format!(" (it belongs under `{p}`)")))
                        .unwrap_or_default();
                    self.problems.push(Problem {
                        pos: key.pos,
                        message: format!(
                            "`{field_path}` is not a field of {}{hint}; Kubernetes drops it, or \
                             rejects the object under strict field validation",
                            ty.short_name()
                        ),
                        path: field_path,
                    });
                }
            }
            self.path.truncate(len);
        }
    }

    /// A field of `ty` whose object type has `name` as a field: where a field written one
    /// level too high belongs (`runAsNonRoot` in a PodSpec belongs under `securityContext`).
    fn nested(&self, ty: &TypeDef, name: &str) -> Option<String> {
        for f in ty.field_names(self.version.bit) {
            let Some(variants) = ty.field(f) else { continue };
            for (fty, m) in variants {
                if m & self.version.bit == 0 {
                    continue;
                }
                if let Ty::Ref(i) = fty
                    && self.schema.types[*i]
                        .field(name)
                        .is_some_and(|v| v.iter().any(|(_, m)| m & self.version.bit != 0))
                {
                    return Some(f.to_string());
                }
            }
        }
        None
    }

    fn value(&mut self, node: &Node, ty: &Ty) {
        if node.is_null() {
            return; // null leaves any field unset
        }
        let expected: String = match ty {
            Ty::Any => return,
            Ty::Object => {
                if node.as_map().is_some() {
                    return;
                }
                "a mapping".into()
            }
            Ty::Ref(i) => {
                let def = &self.schema.types[*i];
                if node.as_map().is_some() {
                    self.object(node, def);
                    return;
                }
                format!("a mapping ({})", def.short_name())
            }
            Ty::List(item) => {
                if let Some(items) = node.as_seq() {
                    for (i, n) in items.iter().enumerate() {
                        let len = self.path.len();
                        let _ = write!(self.path, "[{i}]");
                        self.value(n, item);
                        self.path.truncate(len);
                    }
                    return;
                }
                "a list".into()
            }
            Ty::Map(item) => {
                if node.as_map().is_some() {
                    for (k, v) in node.entries() {
                        let len = if k.name.contains(['.', '/']) {
                            let len = self.path.len();
                            let _ = write!(self.path, "[\"{}\"]", k.name);
                            len
                        } else {
                            self.enter_key(&k.name)
                        };
                        self.value(v, item);
                        self.path.truncate(len);
                    }
                    return;
                }
                "a mapping".into()
            }
            scalar => {
                let Some(s) = node.as_scalar() else {
                    let path = self.path.clone();
                    let found = if node.as_map().is_some() { "a mapping" } else { "a list" };
                    self.problems.push(Problem {
                        pos: node.pos,
                        path: path.to_string(),
                        message: format!("`{path}` must be {}, not {found}", describe(scalar)),
                    });
                    return;
                };
                if accepts(scalar, s.ty) {
                    return;
                }
                let path = self.path.clone();
                let found = match s.ty {
                    ScalarType::Str => format!("the string \"{}\"", s.text),
                    ScalarType::Bool(b) if s.text != "true" && s.text != "false" => format!(
                        "`{}`, which Kubernetes' YAML decoder reads as the boolean {b}",
                        s.text
                    ),
                    ScalarType::Bool(b) => format!("the boolean {b}"),
                    ScalarType::Int(_) | ScalarType::Float(_) => format!("the number {}", s.text),
                    ScalarType::Null => unreachable!("null is accepted"),
                };
                let fix = match scalar {
                    Ty::String | Ty::IntOrString | Ty::NumberOrString => "; quote it",
                    _ => "",
                };
                self.problems.push(Problem {
                    pos: node.pos,
                    path: path.to_string(),
                    message: format!("`{path}` must be {}, not {found}{fix}", describe(scalar)),
                });
                return;
            }
        };
        let path = self.path.clone();
        let found = match &node.value {
            Value::Scalar(s) => format!("the value `{}`", s.text),
            Value::Seq(_) => "a list".into(),
            Value::Map(_) => "a mapping".into(),
        };
        self.problems.push(Problem {
            pos: node.pos,
            path: path.to_string(),
            message: format!("`{path}` must be {expected}, not {found}"),
        });
    }
}

/// Whether a scalar of type `found` decodes into a field of type `ty`, as Go's JSON decoder
/// in the API server decodes it.
fn accepts(ty: &Ty, found: ScalarType) -> bool {
    let integral = |f: f64| f.is_finite() && f.fract() == 0.0;
    match (ty, found) {
        (_, ScalarType::Null) => true,
        (Ty::String, ScalarType::Str)
        | (Ty::Integer, ScalarType::Int(_))
        | (Ty::Number, ScalarType::Int(_) | ScalarType::Float(_))
        | (Ty::Boolean, ScalarType::Bool(_))
        | (Ty::IntOrString, ScalarType::Int(_) | ScalarType::Str)
        | (Ty::NumberOrString, ScalarType::Int(_) | ScalarType::Float(_) | ScalarType::Str) => true,
        (Ty::Integer | Ty::IntOrString, ScalarType::Float(f)) => integral(f),
        _ => false,
    }
}

fn describe(ty: &Ty) -> &'static str {
    match ty {
        Ty::String => "a string",
        Ty::Integer => "an integer",
        Ty::Number => "a number",
        Ty::Boolean => "true or false",
        Ty::IntOrString => "an integer or a string",
        Ty::NumberOrString => "a quantity (a number or a string such as 500m or 1Gi)",
        Ty::Object | Ty::Map(_) | Ty::Ref(_) => "a mapping",
        Ty::List(_) => "a list",
        Ty::Any => "any value",
    }
}

/// The closest field name: the same name in another case, or one within a small edit
/// distance.
fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = if c.to_ascii_lowercase() == lower {
            0
        } else {
            crate::util::edit_distance(&lower, &c.to_ascii_lowercase())
        };
        if d <= 2.max(c.len() / 5) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use crate::engine::testing;
    use crate::{ParamValue, Params};

    fn messages(text: &str, version: Option<u32>) -> Vec<String> {
        let mut params = Params::defaults(&super::CHECK.meta);
        if let Some(v) = version {
            params.set("kubernetes-version", ParamValue::Version(v));
        }
        testing::messages(&super::CHECK, params, text)
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: c\n      image: nginx\n";

    #[test]
    fn a_valid_pod_passes() {
        assert!(messages(POD, None).is_empty());
    }

    #[test]
    fn misspelled_and_miscased_fields_get_a_suggestion() {
        let text = format!("{POD}      securityContex:\n        privileged: false\n      ImagePullPolicy: Always\n");
        assert_eq!(
            messages(&text, None),
            [
                "`spec.containers[0].securityContex` is not a field of Container (did you mean \
                 `securityContext`?); Kubernetes drops it, or rejects the object under strict \
                 field validation",
                "`spec.containers[0].ImagePullPolicy` is not a field of Container (did you mean \
                 `imagePullPolicy`?); Kubernetes drops it, or rejects the object under strict \
                 field validation",
            ]
        );
    }

    #[test]
    fn wrong_types_follow_the_api_servers_decoder() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n  annotations:\n    prometheus.io/scrape: true\nspec:\n  replicas: \"3\"\n  template:\n    spec:\n      containers:\n        - name: c\n          image: nginx\n          env:\n            - name: DEBUG\n              value: yes\n            - name: PORT\n              value: 8080\n          resources:\n            limits:\n              cpu: 0.5\n              memory: 1Gi\n          ports:\n            - containerPort: 80.0\n          args: web\n";
        assert_eq!(
            messages(text, None),
            [
                "`metadata.annotations[\"prometheus.io/scrape\"]` must be a string, not the boolean true; quote it",
                "`spec.replicas` must be an integer, not the string \"3\"",
                "`spec.template.spec.containers[0].env[0].value` must be a string, not `yes`, \
                 which Kubernetes' YAML decoder reads as the boolean true; quote it",
                "`spec.template.spec.containers[0].env[1].value` must be a string, not the number 8080; quote it",
                "`spec.template.spec.containers[0].args` must be a list, not the value `web`",
            ]
        );
    }

    #[test]
    fn fields_of_newer_releases_depend_on_the_target_version() {
        // resources.claims exists from Kubernetes 1.26.
        let text = format!("{POD}      resources:\n        claims:\n          - name: gpu\n");
        assert!(messages(&text, Some(26)).is_empty());
        assert!(messages(&text, None).is_empty());
        assert_eq!(
            messages(&text, Some(25)),
            ["`spec.containers[0].resources.claims` is not a field of ResourceRequirements in \
              Kubernetes 1.25; only Kubernetes 1.26 and later has it"]
        );
    }

    #[test]
    fn custom_resources_and_unknown_api_versions_are_not_judged() {
        let cr = "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: a\nspec:\n  anything: [1]\n";
        assert!(messages(cr, None).is_empty());
        let old = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  bogus: 1\n";
        assert!(messages(old, None).is_empty());
    }

    #[test]
    fn nulls_and_open_objects_pass() {
        let text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a.example.com\n  creationTimestamp: null\nspec:\n  group: example.com\n  names:\n    kind: A\n    plural: as\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n          x-kubernetes-preserve-unknown-fields: true\n          properties:\n            spec:\n              type: object\n              default: {a: 1}\n              additionalProperties: true\n";
        assert_eq!(messages(text, None), Vec::<String>::new());
    }
}
