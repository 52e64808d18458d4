package escpos

import (
	"errors"
	"fmt"
)

// ErrInvalid marks input the encoder refuses (a barcode with letters in an
// EAN-13, a QR payload too long …). Match with errors.Is.
var ErrInvalid = errors.New("escpos: invalid input")

func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}
