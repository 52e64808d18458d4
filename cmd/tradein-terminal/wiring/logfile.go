package wiring

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// LogFile is an io.Writer over logs/terminal.log that rotates by size:
// when a write would take the file past MaxBytes, terminal.log becomes
// terminal.log.1 (older files shift up to .Keep; the oldest is removed)
// and a new file is started. slog writes one record per Write, so a
// record is never split across files. Safe for concurrent use.
type LogFile struct {
	path     string
	maxBytes int64
	keep     int

	mu   sync.Mutex
	f    *os.File
	size int64
}

// OpenLogFile opens (appending) or creates the log at path.
func OpenLogFile(path string, maxBytes int64, keep int) (*LogFile, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultLogMaxBytes
	}
	if keep <= 0 {
		keep = DefaultLogKeep
	}
	l := &LogFile{path: path, maxBytes: maxBytes, keep: keep}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *LogFile) open() error {
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return fmt.Errorf("log: %w", err)
	}
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("log: %w", err)
	}
	l.f, l.size = f, fi.Size()
	return nil
}

// Write appends p, rotating first when p would not fit.
func (l *LogFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, os.ErrClosed
	}
	if l.size > 0 && l.size+int64(len(p)) > l.maxBytes {
		if err := l.rotateLocked(); err != nil {
			return 0, err
		}
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	return n, err
}

// rotateLocked shifts terminal.log.N up by one and starts a new file.
// l.mu must be held.
func (l *LogFile) rotateLocked() error {
	l.f.Close()
	l.f = nil
	os.Remove(l.path + "." + strconv.Itoa(l.keep))
	for i := l.keep - 1; i >= 1; i-- {
		os.Rename(l.path+"."+strconv.Itoa(i), l.path+"."+strconv.Itoa(i+1))
	}
	if err := os.Rename(l.path, l.path+".1"); err != nil {
		return fmt.Errorf("log: rotate: %w", err)
	}
	return l.open()
}

// Close closes the file; later writes fail with os.ErrClosed.
func (l *LogFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Tail returns up to n of the newest lines, oldest first, reading the
// rotated files too when the current one is short.
func (l *LogFile) Tail(n int) ([]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return tailLogs(l.path, l.keep, n)
}

// tailLogs reads path, path.1, … until it has n lines.
func tailLogs(path string, keep, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	var out []string
	for i := 0; i <= keep && len(out) < n; i++ {
		p := path
		if i > 0 {
			p = path + "." + strconv.Itoa(i)
		}
		lines, err := readLines(p)
		if os.IsNotExist(err) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("log tail: %w", err)
		}
		if need := n - len(out); len(lines) > need {
			lines = lines[len(lines)-need:]
		}
		out = append(lines, out...)
	}
	return out, nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}
