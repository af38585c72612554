package archtest

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/atlas-sante-travail/atlas"

// pkg is what the rules read of one package: its non-test imports and the
// names it calls or reads through a selector (os.Getenv, st.IndicatorValues).
type pkg struct {
	path      string // below the module: "internal/tiles"
	imports   []string
	selectors map[string]bool // "os.Getenv", ".IndicatorValues"
}

// load parses every package of the module (test files excluded: tests may
// reach up to build what they check).
func load(t *testing.T, root string) []pkg {
	t.Helper()
	var out []pkg
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" || name == "dist") {
			return filepath.SkipDir
		}
		// A directory with its own go.mod is another module (deploy/validate,
		// whose tools stay out of atlas's go.mod): not this module's package.
		if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil && p != root {
			return filepath.SkipDir
		}
		bp, err := build.Default.ImportDir(p, 0)
		var none *build.NoGoError
		if errors.As(err, &none) {
			return nil // a directory of data, or of tests only
		}
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		rel, _ := filepath.Rel(root, p)
		k := pkg{path: filepath.ToSlash(rel), selectors: map[string]bool{}}
		for _, imp := range bp.Imports {
			k.imports = append(k.imports, strings.TrimPrefix(imp, module+"/"))
		}
		fset := token.NewFileSet()
		for _, f := range bp.GoFiles {
			af, err := parser.ParseFile(fset, filepath.Join(p, f), nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			ast.Inspect(af, func(n ast.Node) bool {
				if se, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := se.X.(*ast.Ident); ok {
						k.selectors[id.Name+"."+se.Sel.Name] = true
					}
					k.selectors["."+se.Sel.Name] = true
				}
				return true
			})
		}
		out = append(out, k)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// internal reports whether an import path is one of the module's packages.
func internal(imp string) bool {
	return !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") && !isStd(imp)
}

// isStd tells standard library paths (no dot in the first element, and not
// one of the module's top-level directories).
func isStd(imp string) bool {
	first := strings.SplitN(imp, "/", 2)[0]
	switch first {
	case "internal", "cmd", "geodata", "web-map":
		return false
	}
	return !strings.Contains(first, ".")
}

func hasPrefix(p string, prefixes []string) bool {
	for _, x := range prefixes {
		if p == x || strings.HasPrefix(p, x+"/") {
			return true
		}
	}
	return false
}

// violations checks the rules on a set of packages and returns one line
// per broken rule, sorted.
func violations(pkgs []pkg) []string {
	var out []string
	bad := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	for _, p := range pkgs {
		floor, ok := Floor[p.path]
		if !ok {
			bad("%s has no floor: add it to archtest.Floor (and to ARCHITECTURE.md)", p.path)
			continue
		}
		for _, imp := range p.imports {
			if internal(imp) {
				f, known := Floor[imp]
				switch {
				case !known:
					// Reported on its own package.
				case f > floor:
					bad("%s (floor %d) imports %s (floor %d): imports go down the floors", p.path, floor, imp, f)
				case f == floor && !slices.Contains(SameFloor[p.path], imp):
					bad("%s imports %s on its own floor %d: not in archtest.SameFloor", p.path, imp, floor)
				}
				if floor == Surfaces && (f == Surfaces || imp == "internal/store") {
					bad("%s is a surface and imports %s: surfaces call the read side and the services, never each other or the store", p.path, imp)
				}
				if slices.Contains(Pure, p.path) && !slices.Contains(Pure, imp) {
					bad("%s is pure and imports %s", p.path, imp)
				}
				if hasPrefix(p.path, WriterPrefixes) && slices.Contains(WriterNevers, imp) {
					bad("%s is a writer or renderer and imports %s: it must take plain values", p.path, imp)
				}
			}
			if hasPrefix(imp, HTTPPackages) && !slices.Contains(HTTPUsers, p.path) {
				bad("%s imports %s: below the surfaces, nothing speaks HTTP through echo or httpx", p.path, imp)
			}
			if hasPrefix(imp, DatabasePackages) && !slices.Contains(DatabaseUsers, p.path) {
				bad("%s imports %s: only the store talks to the database", p.path, imp)
			}
			if slices.Contains(Pure, p.path) && (imp == "net/http" || imp == "os/exec") {
				bad("%s is pure and imports %s", p.path, imp)
			}
			if imp == "flag" && !slices.Contains(ConfigReaders, p.path) {
				bad("%s imports flag: only the command reads flags", p.path)
			}
		}
		for _, sel := range []string{"os.Getenv", "os.LookupEnv"} {
			if p.selectors[sel] && !slices.Contains(ConfigReaders, p.path) {
				bad("%s calls %s: only the command reads the environment, and passes configuration down", p.path, sel)
			}
		}
		for name, allowed := range ValueReaders {
			if p.selectors["."+name] && !slices.Contains(allowed, p.path) {
				bad("%s calls %s: only %s may", p.path, name, strings.Join(allowed, " and "))
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestFloors parses the module and fails on any broken rule.
func TestFloors(t *testing.T) {
	pkgs := load(t, "../..")
	if len(pkgs) < len(Floor)-1 {
		t.Fatalf("found %d packages, the floors name %d: is the walk from the module root?", len(pkgs), len(Floor))
	}
	found := map[string]bool{}
	for _, p := range pkgs {
		found[p.path] = true
	}
	for p := range Floor {
		if !found[p] {
			t.Errorf("archtest.Floor names %s, which does not exist (any more)", p)
		}
	}
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
	if testing.Verbose() {
		for _, p := range pkgs {
			var in []string
			for _, imp := range p.imports {
				if internal(imp) {
					in = append(in, imp)
				}
			}
			t.Logf("floor %d %s -> %s", Floor[p.path], p.path, strings.Join(in, " "))
		}
	}
}

// TestRulesCatchBadImports makes sure each rule can fail: every package
// below breaks one.
func TestRulesCatchBadImports(t *testing.T) {
	sel := func(names ...string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	for _, c := range []struct {
		p    pkg
		want string
	}{
		{pkg{path: "internal/store", imports: []string{"internal/tiles"}}, "imports go down the floors"},
		{pkg{path: "internal/tiles", imports: []string{"internal/importer"}}, "not in archtest.SameFloor"},
		{pkg{path: "internal/httpapi", imports: []string{"internal/store"}}, "never each other or the store"},
		{pkg{path: "internal/indicator", imports: []string{"internal/blob"}}, "is pure and imports internal/blob"},
		{pkg{path: "internal/indicator", imports: []string{"net/http"}}, "is pure and imports net/http"},
		{pkg{path: "internal/diagnostic", imports: []string{"github.com/labstack/echo/v4"}}, "nothing speaks HTTP"},
		{pkg{path: "internal/tiles", imports: []string{"internal/httpx"}}, "nothing speaks HTTP"},
		{pkg{path: "internal/diagnostic", imports: []string{"github.com/jackc/pgx/v5"}}, "only the store talks to the database"},
		{pkg{path: "internal/tiles", imports: []string{"flag"}}, "only the command reads flags"},
		{pkg{path: "internal/tiles", selectors: sel("os.Getenv")}, "only the command reads the environment"},
		{pkg{path: "internal/httpapi", selectors: sel(".IndicatorValues")}, "calls IndicatorValues"},
		{pkg{path: "internal/diagnostic", selectors: sel(".ReplaceIndicator")}, "calls ReplaceIndicator"},
		{pkg{path: "internal/nouveau"}, "has no floor"},
	} {
		got := violations([]pkg{c.p})
		if !slices.ContainsFunc(got, func(v string) bool { return strings.Contains(v, c.want) }) {
			t.Errorf("%s importing %v: %v, want a violation saying %q", c.p.path, c.p.imports, got, c.want)
		}
	}
	// And a writer, which does not exist yet.
	Floor["internal/export/mbtiles"] = Products
	defer delete(Floor, "internal/export/mbtiles")
	if got := violations([]pkg{{path: "internal/export/mbtiles", imports: []string{"internal/diagnostic"}}}); len(got) == 0 {
		t.Error("a writer importing the read side passes")
	}
	// The clean graph passes.
	if got := violations([]pkg{{path: "internal/tiles", imports: []string{"internal/store", "internal/territory", "internal/blob", "net/http"}}}); len(got) != 0 {
		t.Errorf("a correct package fails: %v", got)
	}
}
