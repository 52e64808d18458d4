package serialport

import (
	"fmt"
	"sort"

	"go.bug.st/serial/enumerator"
)

// PortInfo is one port as the settings screen lists it.
type PortInfo struct {
	Name         string // the path to put into Config.Path
	IsUSB        bool
	VID, PID     string // USB vendor and product id, hex, when the system reports them
	SerialNumber string
	Product      string
}

// Label is the text shown in a port picker, e.g.
// "/dev/ttyUSB0 (USB 1A86:7523 USB Serial)". VID/PID let the clerk tell the
// scanner from the printer when both use the same adapter chip.
func (p PortInfo) Label() string {
	if !p.IsUSB {
		return p.Name
	}
	s := fmt.Sprintf("%s (USB %s:%s", p.Name, p.VID, p.PID)
	if p.Product != "" {
		s += " " + p.Product
	}
	return s + ")"
}

// Lister returns the ports the system knows. enumerator.GetDetailedPortsList
// is the real one; tests pass their own.
type Lister func() ([]*enumerator.PortDetails, error)

// List returns the ports sorted by name. A nil lister means the system's.
func List(l Lister) ([]PortInfo, error) {
	if l == nil {
		l = func() ([]*enumerator.PortDetails, error) { return enumerator.GetDetailedPortsList() }
	}
	ds, err := l()
	if err != nil {
		return nil, fmt.Errorf("serialport: list ports: %w", err)
	}
	out := make([]PortInfo, 0, len(ds))
	for _, d := range ds {
		if d == nil {
			continue
		}
		out = append(out, PortInfo{Name: d.Name, IsUSB: d.IsUSB, VID: d.VID, PID: d.PID,
			SerialNumber: d.SerialNumber, Product: d.Product})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
