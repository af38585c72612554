#!/usr/bin/env bash
# Regenerates deploy/k8s/schemas (committed: `make test` validates offline).
#   bash deploy/validate/schemas.sh CLOUDNATIVE_PG_CHECKOUT
# Kubernetes' OpenAPI v3 documents come from the k8s.io/kubernetes module and
# the Prometheus Operator's CRDs from its module, both through the Go module
# proxy; CloudNativePG's module is not served there, so its CRDs are read from
# a checkout of its repository (config/crd/bases). Update the versions here
# and in ../k8s/schemas/SOURCES.md together.
set -euo pipefail
cd "$(dirname "$0")"
K8S=k8s.io/kubernetes@v1.37.2
PROM=github.com/prometheus-operator/prometheus-operator@v0.90.1
cnpg=${1:?usage: schemas.sh CLOUDNATIVE_PG_CHECKOUT}
dir() { go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'; }
k8s=$(dir $K8S)
prom=$(dir $PROM)
go run ./schemagen -openapi "$k8s/api/openapi-spec/v3" -out ../k8s/schemas \
	"$cnpg/config/crd/bases/postgresql.cnpg.io_clusters.yaml" \
	"$cnpg/config/crd/bases/postgresql.cnpg.io_scheduledbackups.yaml" \
	"$prom/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml" \
	"$prom/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"
