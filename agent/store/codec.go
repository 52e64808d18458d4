package store

import (
	"bytes"
	_ "embed"
	"fmt"
	"runtime"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Sale records (sales.data) are JSON compressed with zstd and a fixed raw
// dictionary of typical sale JSON. A sale's JSON is ~1.5 kB, mostly key
// names and repeated values that the dictionary already holds, so it
// shrinks to ~0.6 kB: that is what keeps 100,000 sales under 200 MB
// (BenchmarkDBSizePer100kSales). zstd at its fastest level costs ~15 µs a
// record, small next to the commit's fsync.
//
// The dictionary is part of the file format: sale-v1.dict must never
// change. A better dictionary is added as sale-v2.dict with ID 2; the
// decoder keeps every ID it ever had, and each zstd frame names the ID it
// was written with. Plain JSON (a first byte '{') is read as well.

//go:embed dict/sale-v1.dict
var saleDictV1 []byte

const saleDictV1ID = 1

// zstdMagic starts every zstd frame.
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// maxRecord bounds a decompressed record: a sale is a few kB; anything far
// larger is a damaged or hostile file, refused instead of filling memory.
const maxRecord = 4 << 20

// recordWindow is the encoder's match window. A record is a few kB and the
// dictionary 1.3 kB, so 64 kB loses nothing; the library's default (8 MB)
// made each of the encoder's history buffers 8 MB, kept for the life of
// the app (BenchmarkWorkingRSS in cmd/tradein-terminal). Frames written
// with any window decode alike.
const recordWindow = 64 << 10

// The encoder and decoder are built once, on first use; both are safe for
// concurrent EncodeAll / DecodeAll.
var (
	recordEncoder = sync.OnceValues(func() (*zstd.Encoder, error) {
		return zstd.NewWriter(nil,
			zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithWindowSize(recordWindow),
			zstd.WithEncoderDictRaw(saleDictV1ID, saleDictV1),
			zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)),
			zstd.WithLowerEncoderMem(true),
			zstd.WithEncoderCRC(true))
	})
	recordDecoder = sync.OnceValues(func() (*zstd.Decoder, error) {
		return zstd.NewReader(nil,
			zstd.WithDecoderDictRaw(saleDictV1ID, saleDictV1),
			zstd.WithDecoderConcurrency(max(4, runtime.GOMAXPROCS(0))),
			zstd.WithDecoderMaxMemory(maxRecord),
			zstd.WithDecoderLowmem(true))
	})
)

// packRecord compresses a JSON record for storage.
func packRecord(js []byte) ([]byte, error) {
	enc, err := recordEncoder()
	if err != nil {
		return nil, fmt.Errorf("store: record encoder: %w", err)
	}
	return enc.EncodeAll(js, make([]byte, 0, len(js)/2)), nil
}

// unpackRecord returns the JSON of a stored record: a zstd frame is
// decompressed, plain JSON is returned as it is.
func unpackRecord(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, zstdMagic) {
		return b, nil
	}
	dec, err := recordDecoder()
	if err != nil {
		return nil, fmt.Errorf("store: record decoder: %w", err)
	}
	js, err := dec.DecodeAll(b, nil)
	if err != nil {
		return nil, fmt.Errorf("store: decompress record: %w", err)
	}
	return js, nil
}
