package skippable_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryExportedNameIsDocumented reads every package of the module, as
// go doc does, and fails on an exported name without a doc comment.
func TestEveryExportedNameIsDocumented(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if d.Name() == "testdata" || (strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, path, func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, p := range pkgs {
			files := make([]*ast.File, 0, len(p.Files))
			for _, f := range p.Files {
				files = append(files, f)
			}
			dp, err := doc.NewFromFiles(fset, files, "example.com/"+path)
			if err != nil {
				return err
			}
			if dp.Doc == "" {
				t.Errorf("package %s has no doc comment", path)
			}
			check := func(kind, name, text string) {
				if ast.IsExported(name) && strings.TrimSpace(text) == "" {
					t.Errorf("%s: %s %s has no doc comment", path, kind, name)
				}
			}
			for _, v := range append(dp.Consts, dp.Vars...) {
				for _, n := range v.Names {
					check("value", n, v.Doc)
				}
			}
			for _, f := range dp.Funcs {
				check("func", f.Name, f.Doc)
			}
			for _, ty := range dp.Types {
				check("type", ty.Name, ty.Doc)
				for _, f := range append(ty.Funcs, ty.Methods...) {
					check("func", ty.Name+"."+f.Name, f.Doc)
				}
				for _, v := range append(ty.Consts, ty.Vars...) {
					for _, n := range v.Names {
						check("value", n, v.Doc)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
