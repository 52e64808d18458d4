package agent

import (
	"context"
	"time"
)

// Support is what the field-support screens (ui/) ask of the running app:
// device settings, diagnostics, enrollment, backup and logs. These actions
// touch serial ports, the platform over HTTP and files, so the agent core
// does not implement them; cmd/tradein-terminal wires an implementation
// from devices/, sync/ and agent/store. Every method is safe for concurrent
// use and returns *Error with a stable code on failure.
type Support interface {
	// ListPorts lists the serial ports the system has, with USB VID/PID
	// where the system reports them.
	ListPorts(ctx context.Context) ([]PortInfo, error)
	// DeviceConfig returns the scanner and printer settings in force.
	DeviceConfig(ctx context.Context) (DeviceConfig, error)
	// SaveDeviceConfig validates, stores and applies new settings: the
	// devices are closed and reopened with them. An invalid setting is
	// refused with CodeInvalidRequest and nothing changes.
	SaveDeviceConfig(ctx context.Context, c DeviceConfig) error
	// TestPrint queues a diagnostics ticket on the receipt printer and
	// returns the print job id.
	TestPrint(ctx context.Context) (jobID string, err error)
	// CheckPlatform calls the platform's health endpoint and reports
	// reachability, round-trip time and clock skew.
	CheckPlatform(ctx context.Context) (Connectivity, error)
	// Enrollment reports the enrolled store and terminal; ok is false
	// before the terminal was enrolled.
	Enrollment(ctx context.Context) (info StoreInfo, ok bool, err error)
	// Enroll enrolls the terminal with a one-time enrollment code.
	Enroll(ctx context.Context, code string) (StoreInfo, error)
	// RefreshLibrary downloads the product library delta and the rules now,
	// reporting progress (done of total products; total may be 0 when unknown).
	RefreshLibrary(ctx context.Context, progress func(done, total int64)) error
	// Backup writes a consistent copy of the database (safe while the app
	// runs) and returns its path, reporting progress in bytes.
	Backup(ctx context.Context, progress func(done, total int64)) (path string, err error)
	// LogTail returns up to n of the newest log lines, oldest first. Log
	// lines never contain personal data.
	LogTail(ctx context.Context, n int) ([]string, error)
}

// PortInfo describes one serial port as the system lists it.
type PortInfo struct {
	Name         string `json:"name"` // e.g. "/dev/ttyUSB0", "COM3"
	IsUSB        bool   `json:"is_usb"`
	VID          string `json:"vid,omitempty"` // USB vendor id, 4 hex digits
	PID          string `json:"pid,omitempty"` // USB product id, 4 hex digits
	SerialNumber string `json:"serial_number,omitempty"`
	Product      string `json:"product,omitempty"`
}

// Scanner modes of ScannerConfig.Mode. Stored in the config file.
const (
	ScannerSerial = "serial" // a serial (or USB-CDC) scanner on Port
	ScannerWedge  = "wedge"  // a keyboard-wedge scanner typing into the app
	ScannerOff    = "off"
)

// ScannerConfig is the barcode scanner's setting (devices/README.md).
type ScannerConfig struct {
	Mode        string        `json:"mode" yaml:"mode"` // ScannerSerial, ScannerWedge or ScannerOff
	Port        string        `json:"port" yaml:"port"`
	Baud        int           `json:"baud" yaml:"baud"`
	DataBits    int           `json:"data_bits" yaml:"data_bits"`
	Parity      string        `json:"parity" yaml:"parity"`       // "none", "even", "odd"
	StopBits    string        `json:"stop_bits" yaml:"stop_bits"` // "1", "1.5", "2"
	Suffix      string        `json:"suffix" yaml:"suffix"`       // "CR", "LF", "CRLF", "TAB" or "IDLE"
	IdleTimeout time.Duration `json:"idle_timeout" yaml:"idle_timeout"`
	AIMPrefix   bool          `json:"aim_prefix" yaml:"aim_prefix"`
}

// PrinterConfig is the receipt printer's setting (devices/README.md).
type PrinterConfig struct {
	Port    string `json:"port" yaml:"port"` // empty: no printer
	Baud    int    `json:"baud" yaml:"baud"`
	Columns int    `json:"columns" yaml:"columns"` // 32 (58 mm) or 48 (80 mm)
	QRMode  string `json:"qr_mode" yaml:"qr_mode"` // "native" (GS ( k) or "raster" (GS v 0)
}

// DeviceConfig is every device setting the field-support screen edits.
type DeviceConfig struct {
	Scanner ScannerConfig `json:"scanner" yaml:"scanner"`
	Printer PrinterConfig `json:"printer" yaml:"printer"`
}

// Connectivity is the result of a platform health check.
type Connectivity struct {
	URL        string        `json:"url"`
	Reachable  bool          `json:"reachable"`
	RoundTrip  time.Duration `json:"round_trip"`
	ServerTime time.Time     `json:"server_time"`
	ClockSkew  time.Duration `json:"clock_skew"` // server time minus local time
	TLS        string        `json:"tls"`        // e.g. "TLS 1.3, pinned CA" or "plain HTTP (loopback)"
	Detail     string        `json:"detail"`     // English, for support; never personal data
}
