//! `AdmissionReview` requests and responses (`admission.k8s.io/v1` and `v1beta1`).
//!
//! Requests are read from JSON values rather than typed structs so that a field the API
//! server adds in a later release never makes a request unreadable, and so that the object
//! under review keeps every field it was sent with.

use serde_json::{Map, Value, json};

/// The API versions of `AdmissionReview` this webhook answers.
pub const API_VERSIONS: [&str; 2] = ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"];

/// A group, version and kind (or resource) as the request names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    /// `apps/v1` or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// One admission request.
#[derive(Debug, Clone)]
pub struct Review {
    /// The `apiVersion` of the review; the response answers with the same one.
    pub api_version: String,
    pub uid: String,
    pub kind: Gvk,
    /// The resource (`deployments`), and the subresource when there is one (`status`).
    pub resource: String,
    pub sub_resource: String,
    pub name: String,
    pub namespace: String,
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    pub operation: String,
    pub user: String,
    pub groups: Vec<String>,
    pub dry_run: bool,
    pub object: Option<Value>,
    pub old_object: Option<Value>,
}

/// Why a body is not an `AdmissionReview` this webhook can answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadReview(pub String);

impl std::fmt::Display for BadReview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn gvk(v: Option<&Value>, kind_key: &str) -> Gvk {
    let v = v.unwrap_or(&Value::Null);
    Gvk {
        group: text(v, "group"),
        version: text(v, "version"),
        kind: text(v, kind_key),
    }
}

/// An object field that is absent, `null` or not an object counts as no object (a
/// `DELETE` has no new object, a `CREATE` no old one).
fn object(v: &Value, key: &str) -> Option<Value> {
    v.get(key).filter(|o| o.is_object()).cloned()
}

impl Review {
    /// Reads a request body.
    pub fn parse(body: &[u8]) -> Result<Review, BadReview> {
        let doc: Value = serde_json::from_slice(body)
            .map_err(|e| BadReview(format!("the body is not valid JSON: {e}")))?;
        let api_version = text(&doc, "apiVersion");
        if !API_VERSIONS.contains(&api_version.as_str()) {
            return Err(BadReview(format!(
                "apiVersion is {}; expected {}",
                if api_version.is_empty() {
                    "missing".to_string()
                } else {
                    format!("`{api_version}`")
                },
                API_VERSIONS.join(" or ")
            )));
        }
        if text(&doc, "kind") != "AdmissionReview" {
            return Err(BadReview("kind must be AdmissionReview".into()));
        }
        let Some(req) = doc.get("request").filter(|r| r.is_object()) else {
            return Err(BadReview("the review has no request".into()));
        };
        let uid = text(req, "uid");
        if uid.is_empty() {
            return Err(BadReview("request.uid is missing".into()));
        }
        let kind = gvk(req.get("kind"), "kind");
        if kind.kind.is_empty() {
            return Err(BadReview("request.kind.kind is missing".into()));
        }
        let operation = text(req, "operation");
        if operation.is_empty() {
            return Err(BadReview("request.operation is missing".into()));
        }
        let user_info = req.get("userInfo").unwrap_or(&Value::Null);
        Ok(Review {
            api_version,
            uid,
            kind,
            resource: gvk(req.get("resource"), "resource").kind,
            sub_resource: text(req, "subResource"),
            name: text(req, "name"),
            namespace: text(req, "namespace"),
            operation,
            user: text(user_info, "username"),
            groups: user_info
                .get("groups")
                .and_then(Value::as_array)
                .map(|g| g.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default(),
            dry_run: req.get("dryRun").and_then(Value::as_bool).unwrap_or(false),
            object: object(req, "object"),
            old_object: object(req, "oldObject"),
        })
    }

    /// `Deployment shop/web` for people and logs.
    pub fn display(&self) -> String {
        let name = if self.name.is_empty() {
            self.object
                .as_ref()
                .and_then(|o| o.pointer("/metadata/generateName"))
                .and_then(Value::as_str)
                .map(|g| format!("{g}*"))
                .unwrap_or_default()
        } else {
            self.name.clone()
        };
        if self.namespace.is_empty() {
            format!("{} {name}", self.kind.kind)
        } else {
            format!("{} {}/{name}", self.kind.kind, self.namespace)
        }
    }
}

/// The answer to a review.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    pub allowed: bool,
    /// The message shown to the user when the request is denied.
    pub message: Option<String>,
    /// Warnings kubectl prints (already cut to the API server's limits).
    pub warnings: Vec<String>,
}

/// The response body for a review: an `AdmissionReview` of the request's API version.
pub fn response(api_version: &str, uid: &str, answer: &Answer) -> Vec<u8> {
    let mut resp = Map::new();
    resp.insert("uid".into(), Value::String(uid.to_string()));
    resp.insert("allowed".into(), Value::Bool(answer.allowed));
    if let Some(m) = &answer.message {
        let code = if answer.allowed { 200 } else { 403 };
        resp.insert(
            "status".into(),
            json!({
                "code": code,
                "reason": if answer.allowed { "" } else { "Forbidden" },
                "message": m,
            }),
        );
    }
    if !answer.warnings.is_empty() {
        resp.insert("warnings".into(), json!(answer.warnings));
    }
    let doc = json!({
        "apiVersion": api_version,
        "kind": "AdmissionReview",
        "response": Value::Object(resp),
    });
    serde_json::to_vec(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = r#"{
      "apiVersion": "admission.k8s.io/v1",
      "kind": "AdmissionReview",
      "request": {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
        "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
        "requestKind": {"group": "apps", "version": "v1", "kind": "Deployment"},
        "requestResource": {"group": "apps", "version": "v1", "resource": "deployments"},
        "name": "web",
        "namespace": "shop",
        "operation": "UPDATE",
        "userInfo": {"username": "alice", "uid": "1", "groups": ["dev", "system:authenticated"]},
        "object": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}},
        "oldObject": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}},
        "dryRun": true,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": "UpdateOptions"},
        "somethingNew": 1
      }
    }"#;

    #[test]
    fn reads_every_field_the_webhook_uses() {
        let r = Review::parse(V1.as_bytes()).unwrap();
        assert_eq!(r.api_version, "admission.k8s.io/v1");
        assert_eq!(r.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
        assert_eq!(r.kind.api_version(), "apps/v1");
        assert_eq!(r.kind.kind, "Deployment");
        assert_eq!(r.resource, "deployments");
        assert_eq!(r.sub_resource, "");
        assert_eq!(r.operation, "UPDATE");
        assert_eq!(r.user, "alice");
        assert_eq!(r.groups, ["dev", "system:authenticated"]);
        assert!(r.dry_run);
        assert!(r.object.is_some() && r.old_object.is_some());
        assert_eq!(r.display(), "Deployment shop/web");
    }

    #[test]
    fn rejects_what_is_not_a_review() {
        let bad = |s: &str| Review::parse(s.as_bytes()).unwrap_err().0;
        assert!(bad("{").contains("not valid JSON"));
        assert!(bad(r#"{"apiVersion":"v1","kind":"AdmissionReview"}"#).contains("`v1`"));
        assert!(bad(r#"{"apiVersion":"admission.k8s.io/v1","kind":"Pod"}"#).contains("AdmissionReview"));
        assert!(
            bad(r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#).contains("no request")
        );
        assert!(
            bad(r#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"kind":{"kind":"Pod"},"operation":"CREATE"}}"#)
                .contains("uid")
        );
    }

    #[test]
    fn responses_answer_in_the_request_version() {
        let body = response(
            "admission.k8s.io/v1beta1",
            "u1",
            &Answer {
                allowed: false,
                message: Some("no".into()),
                warnings: vec!["w".into()],
            },
        );
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["apiVersion"], "admission.k8s.io/v1beta1");
        assert_eq!(v["kind"], "AdmissionReview");
        assert_eq!(v["response"]["uid"], "u1");
        assert_eq!(v["response"]["allowed"], false);
        assert_eq!(v["response"]["status"]["code"], 403);
        assert_eq!(v["response"]["status"]["message"], "no");
        assert_eq!(v["response"]["warnings"][0], "w");
        let ok: Value = serde_json::from_slice(&response(
            "admission.k8s.io/v1",
            "u2",
            &Answer {
                allowed: true,
                ..Answer::default()
            },
        ))
        .unwrap();
        assert_eq!(ok["response"], json!({"uid": "u2", "allowed": true}));
    }
}
