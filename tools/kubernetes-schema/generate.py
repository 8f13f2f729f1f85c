#!/usr/bin/env python3
"""Generate Rampart's compact Kubernetes API schema (crates/rampart-checks/data/kubernetes-schema.json).

The source is the JSON Schema form of the Kubernetes OpenAPI specification, one directory per
Kubernetes minor version, as packaged in the `kubernetes-validate` Python distribution:

    pip download --no-deps kubernetes-validate==1.37.0
    python3 tools/kubernetes-schema/generate.py kubernetes_validate-1.37.0-py3-none-any.whl \
        > crates/rampart-checks/data/kubernetes-schema.json

The output keeps only what the `schema-validation` check needs: for every built-in kind, the
root type; for every type, its fields and their types. Descriptions, formats, enums and
required lists are dropped. Versions are merged into one file; a field or kind that does not
exist in every version carries a bit mask of the versions that have it (bit i = versions[i]).

Field type notation:
    string | integer | number | boolean   JSON scalars
    int-or-string                         integer or string (IntOrString)
    number-or-string                      number or string (Quantity)
    object                                any JSON object (RawExtension, FieldsV1)
    any                                   anything (apiextensions JSON)
    #TYPE                                 an object of the named type
    []T  {}T                              a list of T, a map from string to T
"""
import json
import re
import sys
import zipfile

PREFIXES = [
    ("io.k8s.api.", ""),
    ("io.k8s.apimachinery.pkg.apis.meta.", "meta."),
    ("io.k8s.apimachinery.pkg.", "machinery."),
    ("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.", "apiextensions."),
    ("io.k8s.kube-aggregator.pkg.apis.apiregistration.", "apiregistration."),
]


def short(name):
    for long, s in PREFIXES:
        if name.startswith(long):
            return s + name[len(long):]
    raise SystemExit(f"unexpected type name {name}")


def types_of(schema):
    t = schema.get("type", [])
    if isinstance(t, str):
        t = [t]
    return [x for x in t if x != "null"]


def scalar(schema, where):
    """The notation for a schema without properties, or None when it is an object type."""
    if "oneOf" in schema:
        alts = sorted(t for alt in schema["oneOf"] for t in types_of(alt))
        if alts == ["integer", "string"]:
            return "int-or-string"
        if alts == ["number", "string"]:
            return "number-or-string"
        raise SystemExit(f"{where}: unsupported oneOf {alts}")
    t = types_of(schema)
    if not t and not schema.get("properties") and "$ref" not in schema and "items" not in schema:
        return "any"
    return None


def field_type(schema, where):
    if "$ref" in schema:
        return "#" + short(schema["$ref"].rsplit("/", 1)[-1])
    s = scalar(schema, where)
    if s:
        return s
    t = types_of(schema)
    if t == ["array"]:
        return "[]" + field_type(schema["items"], where + "[]")
    if t == ["object"]:
        if "properties" in schema:
            raise SystemExit(f"{where}: inline object with properties")
        ap = schema.get("additionalProperties")
        if ap is None or ap is True:
            return "object"
        return "{}" + field_type(ap, where + "{}")
    if len(t) == 1 and t[0] in ("string", "integer", "number", "boolean"):
        return t[0]
    raise SystemExit(f"{where}: unsupported schema {json.dumps(schema)[:200]}")


def load(source):
    """{version: definitions} from a kubernetes_validate wheel or an extracted schema directory."""
    out = {}
    pat = re.compile(r"(?:^|/)v1\.(\d+)\.0-local-strict/_definitions\.json$")
    if source.endswith(".whl"):
        with zipfile.ZipFile(source) as z:
            for name in z.namelist():
                m = pat.search(name)
                if m:
                    out[int(m.group(1))] = json.loads(z.read(name))["$defs"]
    else:
        import os
        for d in os.listdir(source):
            m = pat.search(d + "/_definitions.json")
            if m:
                with open(os.path.join(source, d, "_definitions.json")) as f:
                    out[int(m.group(1))] = json.load(f)["$defs"]
    if not out:
        raise SystemExit(f"no v1.N.0-local-strict/_definitions.json in {source}")
    return out


def main():
    per_version = load(sys.argv[1])
    minors = sorted(per_version)
    full = (1 << len(minors)) - 1
    kinds = {}   # (apiVersion, kind) -> [type, mask]
    fields = {}  # type -> field -> {notation: mask}
    present = {}  # type -> mask
    for i, minor in enumerate(minors):
        bit = 1 << i
        for name, schema in per_version[minor].items():
            if "properties" not in schema:
                if types_of(schema) == ["object"] and "additionalProperties" not in schema:
                    pass  # an opaque object type, referenced by name below
                continue
            t = short(name)
            present[t] = present.get(t, 0) | bit
            fs = fields.setdefault(t, {})
            for f, fschema in schema["properties"].items():
                n = field_type(fschema, f"{name}.{f}")
                fs.setdefault(f, {})
                fs[f][n] = fs[f].get(n, 0) | bit
            for gvk in schema.get("x-kubernetes-group-version-kind", []):
                if name.endswith("List") or gvk["kind"] in ("WatchEvent", "DeleteOptions", "Status"):
                    continue
                if "metadata" not in schema["properties"]:
                    continue
                api = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
                k = (api, gvk["kind"])
                kinds.setdefault(k, [t, 0])
                kinds[k][1] |= bit
    # Scalar and opaque named types, referenced as #name: resolve them to their notation.
    aliases = {}
    for minor in minors:
        for name, schema in per_version[minor].items():
            if "properties" in schema:
                continue
            s = scalar(schema, name)
            if s is None:
                t = types_of(schema)
                s = "object" if t == ["object"] else t[0] if len(t) == 1 else None
            if s is None:
                raise SystemExit(f"{name}: unsupported named type")
            aliases[short(name)] = s

    def resolve(n):
        prefix = re.match(r"^((?:\[\]|\{\})*)", n).group(1)
        rest = n[len(prefix):]
        if rest.startswith("#") and rest[1:] in aliases:
            return prefix + aliases[rest[1:]]
        return n

    types = {}
    for t in sorted(fields):
        out = {}
        for f in sorted(fields[t]):
            variants = {}
            for n, m in fields[t][f].items():
                r = resolve(n)
                variants[r] = variants.get(r, 0) | m
            if len(variants) == 1 and list(variants.values())[0] == present[t]:
                out[f] = list(variants)[0]
            else:
                out[f] = [[n, m] for n, m in sorted(variants.items())]
        types[t] = out if present[t] == full else {"@versions": present[t], **out}
    doc = {
        "source": "Kubernetes OpenAPI specification (Apache-2.0), JSON Schema form from the "
                  "kubernetes-validate distribution; generated by tools/kubernetes-schema/generate.py",
        "versions": [f"1.{m}" for m in minors],
        "kinds": [[api, kind, t, m] for (api, kind), (t, m) in sorted(kinds.items())],
        "types": types,
    }
    json.dump(doc, sys.stdout, separators=(",", ":"), sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
