#!/usr/bin/env python3
"""Generates a deterministic synthetic Kubernetes corpus for benchmarks.

    bench/gen-synthetic.py OUT_DIR [--objects 50000] [--seed 1337]

Writes a few hundred files holding exactly --objects Kubernetes objects (items of a
`kind: List` count one each): "applications" made of a Deployment / StatefulSet /
CronJob / DaemonSet with 1-3 containers and varied securityContext, resources and probes,
plus Services, ConfigMaps, ServiceAccounts and RBAC Roles / RoleBindings. Files are mostly
multi-document YAML bundles (like rendered Helm charts), some `kind: List` files in YAML
and JSON (like `kubectl get -o yaml|json`), and some one-object-per-file directories.

The same seed and object count always produce byte-identical output. Standard library
only. OUT_DIR must not exist or be empty.
"""

import argparse
import json
import os
import random
import re
import sys

# ---------------------------------------------------------------------------------------
# A small block-style YAML emitter (enough for manifests; output is valid YAML 1.2).

_PLAIN_OK = re.compile(r"^[A-Za-z_/.][A-Za-z0-9_./:@=+-]*$")
_QUANTITY = re.compile(r"^[0-9]+(m|Ki|Mi|Gi|s)$")  # 250m, 128Mi, 30s: plain strings in YAML
_SPECIAL = {
    "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~",
    "True", "False", "Yes", "No", "On", "Off", "Null", "NULL", "TRUE", "FALSE",
}


def _scalar(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return str(v)
    s = str(v)
    if _QUANTITY.match(s) or (_PLAIN_OK.match(s) and s not in _SPECIAL and not s.endswith(":")):
        return s
    return json.dumps(s)  # a JSON string is a valid YAML double-quoted scalar


def _is_block(v):
    return isinstance(v, (dict, list)) and len(v) > 0


def _emit(node, indent, out, seq_indent):
    pad = " " * indent
    if isinstance(node, dict):
        for k, v in node.items():
            key = _scalar(k)
            if isinstance(v, str) and "\n" in v:
                chomp = "|" if v.endswith("\n") else "|-"
                out.append(f"{pad}{key}: {chomp}")
                for line in v.rstrip("\n").split("\n"):
                    out.append(f"{pad}  {line}" if line else "")
            elif _is_block(v):
                out.append(f"{pad}{key}:")
                child = indent + (seq_indent if isinstance(v, list) else 2)
                _emit(v, child, out, seq_indent)
            elif isinstance(v, dict):
                out.append(f"{pad}{key}: {{}}")
            elif isinstance(v, list):
                out.append(f"{pad}{key}: []")
            else:
                out.append(f"{pad}{key}: {_scalar(v)}")
    else:
        for item in node:
            if _is_block(item):
                sub = []
                _emit(item, indent + 2, sub, seq_indent)
                sub[0] = f"{pad}- {sub[0][indent + 2:]}"
                out.extend(sub)
            else:
                out.append(f"{pad}- {_scalar(item)}")


def to_yaml(node, seq_indent=2):
    out = []
    _emit(node, 0, out, seq_indent)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------
# Objects.

WORDS = (
    "api web worker cart checkout payment search auth billing catalog ledger mailer "
    "report gateway frontend backend queue cache index notify audit export import "
    "profile session inventory shipping pricing review media upload thumbnail"
).split()
TEAMS = "core platform growth data infra identity commerce".split()
REGISTRIES = ["registry.example.com", "ghcr.io/example", "docker.io/library", "quay.io/example", ""]
BASE_IMAGES = ["nginx", "redis", "postgres", "busybox", "envoy", "app", "python", "node", "java"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.n = 0

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def name(self):
        self.n += 1
        return f"{self.pick(WORDS)}-{self.pick(WORDS)}-{self.n}"

    def labels(self, app, team):
        labels = {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": team}
        if self.chance(0.5):
            labels["app.kubernetes.io/version"] = f"{self.r.randint(1, 9)}.{self.r.randint(0, 30)}.{self.r.randint(0, 9)}"
        if self.chance(0.3):
            labels["tier"] = self.pick(["frontend", "backend", "batch"])
        return labels

    def metadata(self, name, ns, labels, annotations=False):
        md = {"name": name}
        if ns is not None:
            md["namespace"] = ns
        md["labels"] = dict(labels)
        if annotations and self.chance(0.4):
            md["annotations"] = {
                "example.com/owner": f"{self.pick(TEAMS)}@example.com",
                "example.com/description": f"Serves the {self.pick(WORDS)} API: {self.r.randint(1, 999)} rps peak",
            }
        return md

    def image(self):
        reg = self.pick(REGISTRIES)
        base = self.pick(BASE_IMAGES)
        ref = f"{reg}/{base}" if reg else base
        roll = self.r.random()
        if roll < 0.6:
            return f"{ref}:{self.r.randint(1, 20)}.{self.r.randint(0, 40)}.{self.r.randint(0, 9)}"
        if roll < 0.75:
            return f"{ref}:latest"
        if roll < 0.9:
            digest = "".join(self.pick("0123456789abcdef") for _ in range(64))
            return f"{ref}@sha256:{digest}"
        return ref

    def resources(self):
        roll = self.r.random()
        cpu = self.pick(["50m", "100m", "250m", "500m", "1", "2"])
        mem = self.pick(["64Mi", "128Mi", "256Mi", "512Mi", "1Gi", "2Gi"])
        if roll < 0.15:
            return None
        if roll < 0.3:
            return {"requests": {"cpu": cpu, "memory": mem}}
        if roll < 0.4:
            return {"limits": {"memory": mem}}
        res = {"requests": {"cpu": cpu, "memory": mem}, "limits": {"memory": mem}}
        if self.chance(0.6):
            res["limits"]["cpu"] = cpu
        if self.chance(0.1):
            res["limits"]["ephemeral-storage"] = "1Gi"
        return res

    def container_sc(self):
        roll = self.r.random()
        if roll < 0.2:
            return None
        if roll < 0.3:
            return {"privileged": True}
        if roll < 0.4:
            return {"runAsUser": 0, "allowPrivilegeEscalation": True}
        sc = {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
        }
        if self.chance(0.7):
            sc["readOnlyRootFilesystem"] = True
        if self.chance(0.5):
            sc["runAsNonRoot"] = True
            sc["runAsUser"] = self.r.randint(1000, 65000)
        if self.chance(0.2):
            sc["capabilities"]["add"] = [self.pick(["NET_BIND_SERVICE", "NET_ADMIN", "SYS_ADMIN", "CHOWN"])]
        if self.chance(0.3):
            sc["seccompProfile"] = {"type": "RuntimeDefault"}
        return sc

    def probe(self, port):
        roll = self.r.random()
        if roll < 0.5:
            p = {"httpGet": {"path": self.pick(["/healthz", "/ready", "/livez", "/-/health"]), "port": port}}
        elif roll < 0.8:
            p = {"tcpSocket": {"port": port}}
        else:
            p = {"exec": {"command": ["sh", "-c", "test -f /tmp/healthy"]}}
        p["initialDelaySeconds"] = self.r.randint(0, 30)
        p["periodSeconds"] = self.pick([5, 10, 15, 30])
        if self.chance(0.4):
            p["failureThreshold"] = self.r.randint(2, 6)
        return p

    def container(self, cname, cm_name):
        port = self.pick([80, 443, 3000, 5000, 8080, 8443, 9090, 6379, 5432])
        c = {"name": cname, "image": self.image()}
        if self.chance(0.4):
            c["imagePullPolicy"] = self.pick(["IfNotPresent", "Always"])
        if self.chance(0.3):
            c["args"] = [f"--port={port}", f"--log-level={self.pick(['info', 'debug', 'warn'])}"]
        c["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        if self.chance(0.05):
            c["ports"][0]["hostPort"] = port
        env = [
            {"name": "LOG_FORMAT", "value": "json"},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        ]
        if self.chance(0.5):
            env.append({"name": "MAX_CONNECTIONS", "value": str(self.r.randint(10, 1000))})
        if self.chance(0.15):
            env.append({"name": "DB_PASSWORD", "value": "hunter2-" + str(self.r.randint(0, 99999))})
        if self.chance(0.4):
            env.append({"name": "DB_PASSWORD_REF", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}})
        c["env"] = env
        if cm_name and self.chance(0.5):
            c["envFrom"] = [{"configMapRef": {"name": cm_name}}]
        res = self.resources()
        if res:
            c["resources"] = res
        roll = self.r.random()
        if roll < 0.7:
            c["readinessProbe"] = self.probe(port)
        if roll < 0.55:
            c["livenessProbe"] = self.probe(port)
        if self.chance(0.1):
            c["startupProbe"] = self.probe(port)
        c["volumeMounts"] = [{"name": "tmp", "mountPath": "/tmp"}]
        if cm_name:
            c["volumeMounts"].append({"name": "config", "mountPath": "/etc/app", "readOnly": True})
        sc = self.container_sc()
        if sc:
            c["securityContext"] = sc
        return c

    def pod_spec(self, app, cm_name, sa_name, restart=None):
        n = self.pick([1, 1, 1, 1, 2, 2, 3])
        names = ["app", "sidecar", "proxy"]
        spec = {}
        if sa_name:
            spec["serviceAccountName"] = sa_name
        if self.chance(0.3):
            spec["automountServiceAccountToken"] = False
        roll = self.r.random()
        if roll < 0.4:
            psc = {"runAsNonRoot": True, "runAsUser": 10001, "fsGroup": 10001}
            if self.chance(0.5):
                psc["seccompProfile"] = {"type": "RuntimeDefault"}
            spec["securityContext"] = psc
        elif roll < 0.5:
            spec["securityContext"] = {}
        if self.chance(0.03):
            spec["hostNetwork"] = True
        if self.chance(0.02):
            spec["hostPID"] = True
        if restart:
            spec["restartPolicy"] = restart
        if self.chance(0.2):
            spec["initContainers"] = [{
                "name": "init",
                "image": self.image(),
                "command": ["sh", "-c", f"until nslookup {app}-db; do sleep 2; done"],
            }]
        spec["containers"] = [self.container(names[i], cm_name) for i in range(n)]
        vols = [{"name": "tmp", "emptyDir": {}}]
        if cm_name:
            vols.append({"name": "config", "configMap": {"name": cm_name}})
        if self.chance(0.03):
            vols.append({"name": "host", "hostPath": {"path": self.pick(["/var/log", "/var/run/docker.sock", "/etc"])}})
        spec["volumes"] = vols
        if self.chance(0.2):
            spec["nodeSelector"] = {"kubernetes.io/os": "linux"}
        if self.chance(0.15):
            spec["tolerations"] = [{"key": "dedicated", "operator": "Equal", "value": app, "effect": "NoSchedule"}]
        return spec

    def template(self, app, labels, cm_name, sa_name, restart=None):
        md = {"labels": dict(labels)}
        if self.chance(0.3):
            md["annotations"] = {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"}
        return {"metadata": md, "spec": self.pod_spec(app, cm_name, sa_name, restart)}

    def app(self, ns):
        """One application: a list of objects that belong together."""
        app = self.name()
        team = self.pick(TEAMS)
        labels = self.labels(app, team)
        selector = {"app.kubernetes.io/name": app}
        objs = []
        cm_name = None
        if self.chance(0.7):
            cm_name = f"{app}-config"
            data = {
                "LOG_LEVEL": self.pick(["info", "debug"]),
                "FEATURE_FLAGS": ",".join(self.r.sample(WORDS, 3)),
                "TIMEOUT": f"{self.r.randint(1, 60)}s",
            }
            if self.chance(0.6):
                lines = [f"server.{w}.enabled = {self.pick(['true', 'false'])}" for w in self.r.sample(WORDS, 6)]
                data["app.properties"] = "# generated\n" + "\n".join(lines) + "\n"
            objs.append({
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": self.metadata(cm_name, ns, labels),
                "data": data,
            })
        sa_name = None
        if self.chance(0.5):
            sa_name = app
            objs.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": self.metadata(app, ns, labels)})
            if self.chance(0.6):
                rules = [{
                    "apiGroups": [""],
                    "resources": self.r.sample(["configmaps", "pods", "services", "endpoints", "secrets"], 2),
                    "verbs": ["get", "list", "watch"],
                }]
                if self.chance(0.15):
                    rules.append({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]})
                objs.append({
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "Role",
                    "metadata": self.metadata(app, ns, labels),
                    "rules": rules,
                })
                objs.append({
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "RoleBinding",
                    "metadata": self.metadata(app, ns, labels),
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": app},
                    "subjects": [{"kind": "ServiceAccount", "name": app, "namespace": ns or "default"}],
                })
            if self.chance(0.05):
                objs.append({
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "ClusterRoleBinding",
                    "metadata": {"name": f"{app}-admin"},
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                    "subjects": [{"kind": "ServiceAccount", "name": app, "namespace": ns or "default"}],
                })
        roll = self.r.random()
        served = True
        if roll < 0.65:
            spec = {"replicas": self.pick([1, 2, 3, 3, 5]), "selector": {"matchLabels": selector}}
            if self.chance(0.3):
                spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}
            spec["template"] = self.template(app, labels, cm_name, sa_name)
            objs.append({"apiVersion": "apps/v1", "kind": "Deployment",
                         "metadata": self.metadata(app, ns, labels, True), "spec": spec})
        elif roll < 0.8:
            spec = {"serviceName": app, "replicas": self.pick([1, 3]), "selector": {"matchLabels": selector},
                    "template": self.template(app, labels, cm_name, sa_name)}
            spec["volumeClaimTemplates"] = [{
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}},
            }]
            objs.append({"apiVersion": "apps/v1", "kind": "StatefulSet",
                         "metadata": self.metadata(app, ns, labels, True), "spec": spec})
        elif roll < 0.95:
            served = False
            spec = {
                "schedule": f"{self.r.randint(0, 59)} {self.pick(['*', '*/2', '3'])} * * *",
                "concurrencyPolicy": self.pick(["Forbid", "Allow", "Replace"]),
                "jobTemplate": {"spec": {
                    "backoffLimit": self.r.randint(0, 6),
                    "template": self.template(app, labels, cm_name, sa_name, restart="OnFailure"),
                }},
            }
            objs.append({"apiVersion": "batch/v1", "kind": "CronJob",
                         "metadata": self.metadata(app, ns, labels, True), "spec": spec})
        else:
            served = False
            spec = {"selector": {"matchLabels": selector}, "template": self.template(app, labels, cm_name, sa_name)}
            objs.append({"apiVersion": "apps/v1", "kind": "DaemonSet",
                         "metadata": self.metadata(app, ns, labels, True), "spec": spec})
        if served and self.chance(0.85):
            svc_type = self.pick(["ClusterIP", "ClusterIP", "ClusterIP", "NodePort", "LoadBalancer"])
            port = self.pick([80, 443, 8080])
            svc = {"type": svc_type, "selector": selector,
                   "ports": [{"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}]}
            if svc_type == "NodePort" and self.chance(0.5):
                svc["ports"][0]["nodePort"] = self.r.randint(30000, 32767)
            objs.append({"apiVersion": "v1", "kind": "Service",
                         "metadata": self.metadata(app, ns, labels), "spec": svc})
        return app, objs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--objects", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1337)
    args = ap.parse_args()

    out = args.out_dir
    if os.path.isdir(out) and os.listdir(out):
        sys.exit(f"error: {out} is not empty; remove it first")
    os.makedirs(out, exist_ok=True)

    g = Gen(args.seed)
    namespaces = [None] + [f"{t}-{env}" for t in TEAMS for env in ("prod", "staging")]
    remaining = args.objects
    files = 0
    total_bytes = 0
    kinds = {}

    def write(rel, text):
        nonlocal files, total_bytes
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = text.encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        files += 1
        total_bytes += len(data)

    def take(n):
        """Roughly n objects from whole applications (the last one may be cut)."""
        nonlocal remaining
        objs = []
        while len(objs) < n and remaining > 0:
            ns = g.pick(namespaces)
            _, app_objs = g.app(ns)
            app_objs = app_objs[:remaining]
            remaining -= len(app_objs)
            objs.extend(app_objs)
        for o in objs:
            kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
        return objs

    bundle = 0
    # A few small directories with one object per file (like hand-written repos).
    for d in range(12):
        if remaining <= 0:
            break
        ns = g.pick(namespaces)
        app, objs = g.app(ns)
        objs = objs[:remaining]
        remaining -= len(objs)
        for o in objs:
            kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
            ext = "yml" if g.chance(0.3) else "yaml"
            write(f"apps/{app}/{o['kind'].lower()}.{ext}", "# Managed by the platform team.\n" + to_yaml(o))
    # Bundles of many objects.
    while remaining > 0:
        bundle += 1
        roll = g.r.random()
        size = g.r.randint(40, 280)
        objs = take(size)
        seq_indent = g.pick([0, 2])  # kubectl style (lists at the key's level) or indented
        team = g.pick(TEAMS)
        if roll < 0.75:
            parts = []
            for o in objs:
                head = f"# Source: {team}/templates/{o['kind'].lower()}.yaml\n" if g.chance(0.5) else ""
                parts.append("---\n" + head + to_yaml(o, seq_indent))
            write(f"bundles/{team}/bundle-{bundle:04d}.yaml", "".join(parts))
        elif roll < 0.93:
            doc = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": objs}
            write(f"lists/{team}/list-{bundle:04d}.yaml", to_yaml(doc, seq_indent))
        else:
            doc = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": objs}
            write(f"lists/{team}/list-{bundle:04d}.json", json.dumps(doc, indent=4) + "\n")

    print(f"wrote {files} files, {args.objects - remaining} objects, {total_bytes} bytes to {out}")
    for k in sorted(kinds):
        print(f"  {k:<20} {kinds[k]}")


if __name__ == "__main__":
    main()
