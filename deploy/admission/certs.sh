#!/bin/sh
# Makes the TLS files of the Rampart admission webhook with openssl alone:
#
#   OUTDIR/ca.crt, ca.key    a private ECDSA P-256 CA, made only when they do not exist yet
#   OUTDIR/tls.key, tls.crt  a new ECDSA P-256 serving key (PKCS#8) and certificate, every run
#   OUTDIR/webhook.yaml      the ValidatingWebhookConfiguration with caBundle filled in
#
# Running it again keeps the CA and replaces the serving key and certificate, so the
# caBundle already registered with the API server stays valid: rotation is re-running this
# script and updating the Secret. To replace the CA too, delete ca.crt and ca.key first,
# then apply the new webhook.yaml as well.
#
# Files are written under a temporary name in OUTDIR and renamed, the key before the
# certificate, so a server watching tls.key and tls.crt never reads half a file.
#
# Environment:
#   NAMESPACE   namespace of the Service (default rampart)
#   SERVICE     name of the Service (default rampart-admission)
#   EXTRA_SANS  more subjectAltName entries, comma-separated, in openssl's syntax,
#               e.g. DNS:localhost,IP:127.0.0.1 to run the server on a workstation
#   DAYS        validity of the serving certificate in days (default 365)
#   CA_DAYS     validity of a new CA in days (default 3650)
set -eu

usage() {
    echo "usage: $0 OUTDIR" >&2
    echo "  env: NAMESPACE (rampart) SERVICE (rampart-admission) EXTRA_SANS DAYS (365) CA_DAYS (3650)" >&2
    exit 2
}

die() {
    echo "certs.sh: $*" >&2
    exit 1
}

[ "$#" -eq 1 ] || usage
case $1 in -h | --help) usage ;; esac
outdir=$1

NAMESPACE=${NAMESPACE:-rampart}
SERVICE=${SERVICE:-rampart-admission}
EXTRA_SANS=${EXTRA_SANS:-}
DAYS=${DAYS:-365}
CA_DAYS=${CA_DAYS:-3650}

case $DAYS in '' | *[!0-9]* | 0) die "DAYS must be a positive number of days, not '$DAYS'" ;; esac
case $CA_DAYS in '' | *[!0-9]* | 0) die "CA_DAYS must be a positive number of days, not '$CA_DAYS'" ;; esac
# The names go into an openssl configuration file: keep them to what a DNS name or an
# openssl SAN list can hold, so nothing else can be slipped into that file.
case $NAMESPACE$SERVICE in *[!a-z0-9.-]* | '') die "NAMESPACE and SERVICE must be DNS names" ;; esac
case $EXTRA_SANS in *[!A-Za-z0-9.:,*@_/-]*) die "EXTRA_SANS holds an unexpected character: '$EXTRA_SANS'" ;; esac

command -v openssl >/dev/null 2>&1 || die "openssl not found"

here=$(cd "$(dirname "$0")" && pwd)
template=$here/webhook/validatingwebhookconfiguration.yaml
placeholder=CA_BUNDLE_FILLED_IN_BY_CERTS_SH
[ -f "$template" ] || die "$template not found"
[ "$(grep -c "$placeholder" "$template")" -eq 1 ] || die "$template must hold $placeholder once"

mkdir -p "$outdir"
# Keys are created readable by their owner only.
umask 077

# Temporary files live in OUTDIR (so that mv is a rename on one filesystem) and are
# removed however the script ends.
tmp=$outdir/.certs.sh.$$
cleanup() { rm -f "$tmp".*; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# ---- CA: made once ---------------------------------------------------------------------

if [ -f "$outdir/ca.crt" ] && [ -f "$outdir/ca.key" ]; then
    echo "Keeping the CA in $outdir/ca.crt" >&2
elif [ -f "$outdir/ca.crt" ] || [ -f "$outdir/ca.key" ]; then
    die "$outdir holds only one of ca.crt and ca.key; remove it or restore the other"
else
    cat >"$tmp.ca.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
x509_extensions = ca
[dn]
CN = $SERVICE.$NAMESPACE admission CA
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp.ca.key"
    openssl req -new -x509 -config "$tmp.ca.cnf" -key "$tmp.ca.key" -sha256 \
        -days "$CA_DAYS" -set_serial "0x$(openssl rand -hex 16)" -out "$tmp.ca.crt"
    chmod 600 "$tmp.ca.key"
    chmod 644 "$tmp.ca.crt"
    mv "$tmp.ca.key" "$outdir/ca.key"
    mv "$tmp.ca.crt" "$outdir/ca.crt"
    echo "Created a CA in $outdir/ca.crt, valid for $CA_DAYS days" >&2
fi

if ! openssl x509 -in "$outdir/ca.crt" -noout -checkend "$((DAYS * 86400))" >/dev/null; then
    echo "certs.sh: warning: the CA expires before the new certificate ($(openssl x509 -in "$outdir/ca.crt" -noout -enddate));" >&2
    echo "  delete $outdir/ca.crt and $outdir/ca.key to make a new CA, and apply the new webhook.yaml" >&2
fi

# ---- serving key and certificate: new every run ------------------------------------------

sans=DNS:$SERVICE,DNS:$SERVICE.$NAMESPACE,DNS:$SERVICE.$NAMESPACE.svc,DNS:$SERVICE.$NAMESPACE.svc.cluster.local
[ -z "$EXTRA_SANS" ] || sans=$sans,$EXTRA_SANS

cat >"$tmp.tls.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = $SERVICE.$NAMESPACE.svc
[serving]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = $sans
EOF

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp.tls.key"
openssl req -new -config "$tmp.tls.cnf" -key "$tmp.tls.key" -out "$tmp.tls.csr"
openssl x509 -req -in "$tmp.tls.csr" -CA "$outdir/ca.crt" -CAkey "$outdir/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -sha256 -days "$DAYS" \
    -extfile "$tmp.tls.cnf" -extensions serving -out "$tmp.tls.crt" 2>"$tmp.err" ||
    { cat "$tmp.err" >&2; exit 1; }
openssl verify -CAfile "$outdir/ca.crt" "$tmp.tls.crt" >/dev/null ||
    die "the new certificate does not verify against $outdir/ca.crt"
chmod 600 "$tmp.tls.key"
chmod 644 "$tmp.tls.crt"
mv "$tmp.tls.key" "$outdir/tls.key"
mv "$tmp.tls.crt" "$outdir/tls.crt"
echo "Created $outdir/tls.crt and tls.key for $sans, valid for $DAYS days" >&2

# ---- the webhook registration with the CA ------------------------------------------------

ca_bundle=$(openssl base64 -A <"$outdir/ca.crt")
sed "s|$placeholder|$ca_bundle|" "$template" >"$tmp.webhook.yaml"
chmod 644 "$tmp.webhook.yaml"
mv "$tmp.webhook.yaml" "$outdir/webhook.yaml"
echo "Wrote $outdir/webhook.yaml" >&2

if [ "$NAMESPACE" != rampart ] || [ "$SERVICE" != rampart-admission ]; then
    echo "Note: the manifests in $here name the Service rampart-admission in namespace rampart;" >&2
    echo "  change them (and $outdir/webhook.yaml) to $SERVICE in $NAMESPACE to match." >&2
fi

cat <<EOF

Next:
  kubectl apply -k $here
  kubectl -n $NAMESPACE create secret tls rampart-admission-tls --cert=$outdir/tls.crt --key=$outdir/tls.key --dry-run=client -o yaml | kubectl apply -f -
  kubectl -n $NAMESPACE rollout status deployment/rampart-admission
  kubectl apply -f $outdir/webhook.yaml

After a rotation (this script run again), only the Secret command is needed; the pods
pick up the new files without a restart.
EOF
