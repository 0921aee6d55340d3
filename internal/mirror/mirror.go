// Package mirror makes one folder hold what another holds while leaving
// alone every file whose content, mode and kind are already the same there.
//
// go test keys a cached result on the size and modification time of the
// files a test opened. A tool that rewrites a folder wholesale (cdk synth
// does) gives every file a new time, so the tests that read the folder would
// rerun although nothing in it changed; copying the new output over the old
// with Dir keeps their results.
package mirror

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Dir makes to hold exactly what from holds: it copies each regular file
// whose content or permissions differ, with its time (through a temporary
// file renamed into place, so a reader never sees half a file), recreates links that
// point elsewhere, creates missing folders and removes what from lacks.
// to is created if need be. It follows no link, and refuses any other kind
// of file.
func Dir(from, to string) error {
	if info, err := os.Stat(from); err != nil {
		return err
	} else if !info.IsDir() {
		return fmt.Errorf("mirror: %s is not a folder", from)
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	if err := prune(from, to); err != nil {
		return err
	}
	return filepath.WalkDir(from, func(src string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, src)
		if err != nil || rel == "." {
			return err
		}
		return place(src, filepath.Join(to, rel), d)
	})
}

// prune removes what to holds and from does not, or holds as another kind
// of file (a folder where from has a file, say).
func prune(from, to string) error {
	return filepath.WalkDir(to, func(dst string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(to, dst)
		if err != nil || rel == "." {
			return err
		}
		info, err := os.Lstat(filepath.Join(from, rel))
		if err == nil && info.Mode().Type() == d.Type() {
			return nil
		}
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		if err := os.RemoveAll(dst); err != nil {
			return err
		}
		if d.IsDir() {
			return filepath.SkipDir
		}
		return nil
	})
}

// place makes dst what src is, leaving it alone when it already is.
func place(src, dst string, d fs.DirEntry) error {
	switch d.Type() {
	case fs.ModeDir:
		return os.MkdirAll(dst, 0o755)
	case fs.ModeSymlink:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if old, err := os.Readlink(dst); err == nil && old == target {
			return nil
		}
		os.Remove(dst)
		return os.Symlink(target, dst)
	case 0:
		info, err := d.Info()
		if err != nil {
			return err
		}
		if same, err := sameFile(src, dst, info); err != nil || same {
			return err
		}
		return copyFile(src, dst, info)
	}
	return fmt.Errorf("mirror: %s is neither a file, a folder nor a link", src)
}

// sameFile reports whether dst has src's permissions and content.
func sameFile(src, dst string, info fs.FileInfo) (bool, error) {
	old, err := os.Lstat(dst)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !old.Mode().IsRegular() || old.Mode().Perm() != info.Mode().Perm() || old.Size() != info.Size() {
		return false, nil
	}
	a, err := os.ReadFile(src)
	if err != nil {
		return false, err
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		return false, err
	}
	return bytes.Equal(a, b), nil
}

// copyFile copies src to dst with its permissions and modification time,
// as cp -p does.
func copyFile(src, dst string, info fs.FileInfo) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".mirror-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err = tmp.Chmod(info.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chtimes(tmp.Name(), info.ModTime(), info.ModTime()); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
