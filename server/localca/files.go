package localca

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// writeFile replaces path with b, owner-only: written to a temporary file beside it and renamed over it,
// so that a reader never sees half a file.
func writeFile(path string, b []byte) error {
	tmp, err := tempFile(path, b)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// createFile writes b to path only if path does not exist yet (an error wrapping fs.ErrExist otherwise):
// written beside it, then hard-linked into place, which fails rather than replaces.
func createFile(path string, b []byte) error {
	tmp, err := tempFile(path, b)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Link(tmp, path)
}

// tempFile writes b to a new owner-only file in path's directory and returns its name.
func tempFile(path string, b []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return "", err
	}
	// CreateTemp makes the file 0600 already; Chmod says so whatever the umask.
	err = f.Chmod(filePerm)
	if err == nil {
		_, err = f.Write(b)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return f.Name(), nil
}

// checkPrivate refuses a key file (or the directory holding it) that others may read or write: a CA key
// someone else could have copied is no longer the user's alone, and trusting it would let them
// impersonate any site to this user's browser. ssh refuses such keys for the same reason. Windows has
// no mode bits to check.
func checkPrivate(path string, isDir bool) error {
	fi, err := os.Stat(path)
	if err != nil || runtime.GOOS == "windows" {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		want := "600"
		if isDir {
			want = "700"
		}
		return fmt.Errorf("%s is open to other users (mode %o): run 'chmod %s %s' — or, if someone else may have read it, "+
			"remove the tls directory, untrust the old CA and trust the new one", path, fi.Mode().Perm(), want, path)
	}
	return nil
}
