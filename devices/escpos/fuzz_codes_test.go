package escpos_test

import (
	"errors"
	"strings"
	"testing"

	"tradein/devices/devsim"
	"tradein/devices/escpos"
)

// FuzzEncoderCodes feeds any data to the barcode and QR commands: the
// encoder either refuses it with ErrInvalid or emits a stream that devsim's
// printer decodes back to exactly that data, without decode errors.
func FuzzEncoderCodes(f *testing.F) {
	f.Add("TI20261121103000000001")
	f.Add("A{B{{")
	f.Add("6901234567892")
	f.Add("https://verify.example.cn/r/T0012026112100001?c=8f3a")
	f.Add("\x00\x1b@\x1dV\x00\x10\x04\x01")
	f.Add(strings.Repeat("9", 300))
	f.Fuzz(func(t *testing.T, data string) {
		for _, c := range []struct {
			name string
			emit func(*escpos.Encoder)
			want string // the decoded line
		}{
			{"code128", func(e *escpos.Encoder) { e.Code128(data) }, "[CODE128] " + data},
			{"ean13", func(e *escpos.Encoder) { e.EAN13(data) }, "[EAN13] " + data},
			{"qr", func(e *escpos.Encoder) { e.QRNative(data, 4, escpos.QRLevelM) }, "[QR] " + data},
			{"qr-raster", func(e *escpos.Encoder) { e.QRRaster(data, 2) }, "[IMAGE "},
		} {
			e := escpos.NewEncoder(escpos.Width80, escpos.QRNative)
			e.Init()
			c.emit(e)
			e.Cut()
			b, err := e.Bytes()
			if err != nil {
				if !errors.Is(err, escpos.ErrInvalid) {
					t.Fatalf("%s: error %v is not ErrInvalid", c.name, err)
				}
				continue
			}
			d := devsim.NewDecoder()
			var got []devsim.Receipt
			d.OnReceipt = func(r devsim.Receipt) { got = append(got, r) }
			d.Write(b)
			if d.Errors() != 0 || len(got) != 1 {
				t.Fatalf("%s: %d receipts, %d decode errors", c.name, len(got), d.Errors())
			}
			lines := got[0].Lines(escpos.Width80)
			if len(lines) == 0 || !strings.HasPrefix(lines[0], c.want) || (c.name != "qr-raster" && lines[0] != c.want) {
				t.Fatalf("%s: decoded %q, want %q", c.name, lines, c.want)
			}
		}
	})
}
