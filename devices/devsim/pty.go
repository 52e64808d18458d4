package devsim

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// port is one end of a virtual device: a pseudo-terminal pair whose slave
// side (tty) is the "serial port" the terminal opens, optionally reachable
// through a stable symlink (link) so that an unplugged device can come back
// under the same name, as a USB adapter does under udev.
type port struct {
	master *os.File
	tty    *os.File // kept open so the master never reads EIO between opens
	link   string
}

// socket is where a virtual device plugs in: its pty while plugged (p),
// reached through link when set. The device's own lock guards it.
type socket struct {
	link string
	p    *port
}

// path is what the terminal should open: the link, or the pty's name.
func (k *socket) path() string {
	if k.p == nil {
		return k.link
	}
	return k.p.path()
}

// unplug closes the pty and removes the link; unplugged already is fine.
func (k *socket) unplug() error {
	if k.p == nil {
		return nil
	}
	err := k.p.close()
	k.p = nil
	return err
}

// plug opens a fresh pty at the link and returns it; it returns nil, nil
// when the device is plugged in already.
func (k *socket) plug() (*port, error) {
	if k.p != nil {
		return nil, nil
	}
	p, err := openPort(k.link)
	if err != nil {
		return nil, err
	}
	k.p = p
	return p, nil
}

// openPort creates a pty pair in raw mode and points link (if not empty) at
// its slave.
func openPort(link string) (*port, error) {
	master, tty, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("devsim: open pty: %w", err)
	}
	if err := makeRaw(tty); err != nil {
		master.Close()
		tty.Close()
		return nil, err
	}
	if master, err = pollable(master); err != nil {
		tty.Close()
		return nil, err
	}
	p := &port{master: master, tty: tty, link: link}
	if link != "" {
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			p.close()
			return nil, fmt.Errorf("devsim: %w", err)
		}
		tmp := link + ".new"
		os.Remove(tmp)
		if err := os.Symlink(tty.Name(), tmp); err != nil {
			p.close()
			return nil, fmt.Errorf("devsim: link %s: %w", link, err)
		}
		if err := os.Rename(tmp, link); err != nil {
			p.close()
			return nil, fmt.Errorf("devsim: link %s: %w", link, err)
		}
	}
	return p, nil
}

// path is what the terminal should open: the link if there is one.
func (p *port) path() string {
	if p.link != "" {
		return p.link
	}
	return p.tty.Name()
}

// close removes the link first (so nobody reopens a dying pty), then
// closes both ends: the terminal's reads fail as they do when a USB
// adapter is pulled out.
func (p *port) close() error {
	if p.link != "" {
		if err := os.Remove(p.link); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("devsim: %w", err)
		}
	}
	return errors.Join(p.master.Close(), p.tty.Close())
}

// pollable returns f re-opened in non-blocking mode, so that the Go
// runtime polls it: then Close interrupts a Read in progress. (A blocking
// Read on the master would otherwise keep the pty alive after "unplug".)
func pollable(f *os.File) (*os.File, error) {
	fd, err := unix.Dup(int(f.Fd()))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("devsim: dup pty: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("devsim: pty non-blocking: %w", err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// makeRaw puts the tty in raw mode (cfmakeraw): no echo, no CR/LF
// translation, no line buffering, 8 bits. The terminal's serial library
// does the same when it opens the port; doing it here too means bytes sent
// before that open are not mangled.
func makeRaw(f *os.File) error {
	t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		return fmt.Errorf("devsim: get termios: %w", err)
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	if err := unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, t); err != nil {
		return fmt.Errorf("devsim: set termios: %w", err)
	}
	return nil
}
