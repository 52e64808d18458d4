package receipt

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"tradein/agent"
	"tradein/devices/devsim"
	"tradein/devices/escpos"
)

// maxRasterReceipt is the budget of a sale receipt with raster QR codes:
// 4 KB take 4.3 s at 9600 baud, the speed of the serial printers that
// need raster QR codes.
const maxRasterReceipt = 4096

// TestRasterReceiptSmallAndReadable: a sale receipt with both QR codes
// (verification URL and trade-in ticket) as raster images stays within
// maxRasterReceipt on 58 and 80 mm paper, and the PNG devsim renders of
// the printed receipt gives both payloads back to gozxing and to zbarimg,
// a decoder independent of the encoder.
func TestRasterReceiptSmallAndReadable(t *testing.T) {
	r := sampleReceipt(agent.ReceiptSale)
	want := []string{r.VerifyURL, r.Sale.TradeIn.TicketNo}
	sort.Strings(want)
	zbar, zerr := exec.LookPath("zbarimg")
	for _, w := range []escpos.Width{escpos.Width58, escpos.Width80} {
		b, err := Render(r, Options{Width: w, QR: escpos.QRRaster})
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > maxRasterReceipt {
			t.Errorf("%d mm: raster receipt is %d bytes, budget %d", w, len(b), maxRasterReceipt)
		}
		lines := decode(t, b, w)
		for _, s := range want {
			if !has(lines, "[IMAGE-QR] "+s) {
				t.Errorf("%d mm: gozxing does not read %q from the raster in\n%s", w, s, strings.Join(lines, "\n"))
			}
		}
		if zerr != nil {
			t.Logf("zbarimg not installed; the QR codes were checked with gozxing only")
			continue
		}
		d := devsim.NewDecoder()
		var got []devsim.Receipt
		d.OnReceipt = func(r devsim.Receipt) { got = append(got, r) }
		d.Write(b)
		file := filepath.Join(t.TempDir(), "receipt.png")
		f, err := os.Create(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, devsim.Render(got[0], devsim.RenderOptions{Width: w})); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out, err := exec.Command(zbar, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", file).Output()
		read := strings.Fields(string(out))
		sort.Strings(read)
		if err != nil || strings.Join(read, " ") != strings.Join(want, " ") {
			t.Errorf("%d mm: zbarimg read %q (%v), want %q", w, read, err, want)
		}
	}
}
