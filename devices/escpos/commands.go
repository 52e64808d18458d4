// Package escpos encodes receipts as ESC/POS commands for thermal receipt
// printers, and parses the printer's DLE EOT status replies.
//
// Chinese text is sent in GB18030 with the printer in Chinese mode (FS &),
// where every multi-byte character prints as a full-width glyph; column
// layout therefore counts a character as 2 columns whenever it is not ASCII.
package escpos

// Command bytes (Epson ESC/POS; Chinese printers follow the same set).
// They are wire values: never renumber them.
const (
	ESC byte = 0x1b
	GS  byte = 0x1d
	FS  byte = 0x1c
	DLE byte = 0x10
	EOT byte = 0x04
	LF  byte = 0x0a
)

// Width is the paper width in millimetres.
type Width int

const (
	Width58 Width = 58
	Width80 Width = 80
)

// Columns is how many Font A (12×24 dot) characters fit on a line: 32 on
// 58 mm paper (384 dots), 48 on 80 mm paper (576 dots).
func (w Width) Columns() int {
	if w == Width58 {
		return 32
	}
	return 48
}

// Dots is the printable width in dots (203 dpi heads).
func (w Width) Dots() int {
	if w == Width58 {
		return 384
	}
	return 576
}

// ParseWidth accepts 58 or 80; zero means 80.
func ParseWidth(mm int) (Width, error) {
	switch mm {
	case 58:
		return Width58, nil
	case 80, 0:
		return Width80, nil
	}
	return 0, errorf("paper width %d mm not supported (want 58 or 80)", mm)
}

// QRMode chooses how QR codes are printed. Most printers sold in China
// implement GS ( k (native: ~100 bytes on the wire); some cheap ones don't
// and print garbage, so the settings offer a raster image (GS v 0) instead,
// which every printer supports but costs a few kilobytes.
type QRMode string

const (
	QRNative QRMode = "native"
	QRRaster QRMode = "raster"
)

// Align is a justification value of ESC a.
type Align byte

const (
	AlignLeft   Align = 0
	AlignCenter Align = 1
	AlignRight  Align = 2
)

// QR error-correction levels as GS ( k function 169 takes them.
const (
	QRLevelL byte = 48
	QRLevelM byte = 49
	QRLevelQ byte = 50
	QRLevelH byte = 51
)
