package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// defaultDataDir is the per-user data directory: $XDG_DATA_HOME/valet (~/.local/share/valet) on Linux and
// other Unixes, ~/Library/Application Support/Valet on macOS, %LocalAppData%\Valet on Windows.
func defaultDataDir() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "Valet"), nil
		}
		return "", errors.New("%LocalAppData% is not set: pass --data DIR")
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Application Support", "Valet"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "valet"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("no home directory to keep data in: pass --data DIR")
	}
	return filepath.Join(home, ".local", "share", "valet"), nil
}
