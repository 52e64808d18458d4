package wiring

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Layout names every file and folder of a data directory. Program files
// live elsewhere (the package's install folder); install, upgrade and
// uninstall never touch the data directory unless asked to (README.md, "Packages and upgrades").
//
//	terminal.db        the SQLite store (agent/store)
//	terminal.head      the newest audit head, tagged (agent/store/headfile.go)
//	config.json        device and platform settings (Config)
//	field.key          AES-256 key sealing personal data, mode 0600
//	enrollment.json    the enrolled identity; the HMAC secret sealed, mode 0600
//	logs/terminal.log  slog JSON, rotated by size (terminal.log.1, …)
//	photos/            pickup photos, named by SHA-256
//	backups/           upgrade backups and backups made from the support screen
//	terminal.lock      held while the app runs (one app per data directory)
type Layout struct {
	Dir        string
	DB         string
	Config     string
	FieldKey   string
	Enrollment string
	LogDir     string
	Log        string
	Photos     string
	Backups    string
	Lock       string // terminal.lock (LockDataDir)
}

// NewLayout returns the layout of the data directory dir.
func NewLayout(dir string) Layout {
	return Layout{
		Dir:        dir,
		DB:         filepath.Join(dir, "terminal.db"),
		Config:     filepath.Join(dir, "config.json"),
		FieldKey:   filepath.Join(dir, "field.key"),
		Enrollment: filepath.Join(dir, "enrollment.json"),
		LogDir:     filepath.Join(dir, "logs"),
		Log:        filepath.Join(dir, "logs", "terminal.log"),
		Photos:     filepath.Join(dir, "photos"),
		Backups:    filepath.Join(dir, "backups"),
		Lock:       filepath.Join(dir, "terminal.lock"),
	}
}

// Create makes the data directory and its folders, readable by the owner
// only: the folder holds the field key and personal data.
func (l Layout) Create() error {
	for _, d := range []string{l.Dir, l.LogDir, l.Photos, l.Backups} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
	}
	return nil
}

// Linux system data directory, used when the process may write there (the
// .deb creates it for the shop's user).
const linuxSystemDir = "/var/lib/tradein-terminal"

// DefaultDataDir returns the data directory to use when none is given:
//   - Windows: %ProgramData%\TradeinTerminal (the installer creates it);
//   - elsewhere: /var/lib/tradein-terminal when it exists and is writable,
//     or can be created; otherwise $XDG_DATA_HOME/tradein-terminal
//     (~/.local/share/tradein-terminal), so a developer's run never needs root.
func DefaultDataDir() (string, error) {
	if runtime.GOOS == "windows" {
		pd := os.Getenv("ProgramData")
		if pd == "" {
			pd = `C:\ProgramData`
		}
		return filepath.Join(pd, "TradeinTerminal"), nil
	}
	if writableDir(linuxSystemDir) {
		return linuxSystemDir, nil
	}
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("data directory: no --data-dir, %s is not writable and there is no home directory: %w", linuxSystemDir, err)
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "tradein-terminal"), nil
}

// writableDir reports whether dir exists (or can be created) and a file
// can be created in it.
func writableDir(dir string) bool {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return false
		}
	}
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return false
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return true
}

// NewestBackup returns the newest *.db file in the backups folder, by
// modification time, or "" when there is none. Field support restores it
// (terminalctl restore) when the database is lost or damaged.
func (l Layout) NewestBackup() string {
	ents, err := os.ReadDir(l.Backups)
	if err != nil {
		return ""
	}
	newest, newestMod := "", time.Time{}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".db") {
			continue
		}
		if info, err := e.Info(); err == nil && (newest == "" || info.ModTime().After(newestMod)) {
			newest, newestMod = filepath.Join(l.Backups, e.Name()), info.ModTime()
		}
	}
	return newest
}
