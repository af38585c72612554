// Package webmap holds the built workshop map (Vite output in dist/),
// embedded in the atlas binary.
//
// dist/README.md is committed so that the embed pattern matches on a fresh
// clone where the front end has not been built: `go build ./...` always
// works, and the server then answers `/` with an explicit 503 telling how to
// build it. `deploy/web.sh` (run by `make run` and `make test`) fills dist/
// before `go build`; the vite config puts the placeholder back after each
// build.
package webmap

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist is the built front end, rooted at dist/ (index.html, assets/...).
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil { // cannot happen: "dist" is a valid path
		panic(err)
	}
	return sub
}
