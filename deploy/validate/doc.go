// Package validate checks the deployment files offline, in `make test`
// (deploy/test.sh): the Kubernetes manifests of deploy/k8s against the JSON
// schemas kept in deploy/k8s/schemas, with kubeconform's validator in
// strict mode; deploy/docker/compose.yaml loaded and validated by
// compose-go; deploy/docker/Dockerfile parsed and linted by BuildKit's
// parser and linter, plus this project's own rules. It is a Go module of
// its own so that those tools' dependencies stay out of the atlas binary's
// go.mod.
package validate
