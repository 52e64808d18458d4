package theme

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"unicode/utf16"
)

// Fyne parses a theme font with go-text's ParseTTF, which reads a single
// font, while Debian's CJK fonts (fonts-noto-cjk, fonts-wqy-*) and Windows'
// Microsoft YaHei ship as TrueType collections (.ttc). These helpers pick
// one face out of a collection by family name and rewrite it as a
// standalone sfnt file, copying its tables unchanged.

const maxFaces = 64 // no real collection has more; bounds hostile input

// IsCollection reports whether data is a TrueType collection.
func IsCollection(data []byte) bool { return len(data) >= 12 && string(data[:4]) == "ttcf" }

// collectionOffsets returns the offsets of each face's table directory.
func collectionOffsets(data []byte) ([]uint32, error) {
	if !IsCollection(data) {
		return nil, errors.New("not a font collection")
	}
	n := binary.BigEndian.Uint32(data[8:12])
	if n == 0 || n > maxFaces || 12+4*int(n) > len(data) {
		return nil, fmt.Errorf("font collection: bad face count %d", n)
	}
	offs := make([]uint32, n)
	for i := range offs {
		offs[i] = binary.BigEndian.Uint32(data[12+4*i:])
	}
	return offs, nil
}

type tableRecord struct {
	tag                   string
	checksum, off, length uint32
}

// tableDirectory reads the sfnt table directory at off.
func tableDirectory(data []byte, off uint32) (sfntVersion uint32, recs []tableRecord, err error) {
	if uint64(off)+12 > uint64(len(data)) {
		return 0, nil, errors.New("sfnt: directory out of range")
	}
	d := data[off:]
	sfntVersion = binary.BigEndian.Uint32(d[0:4])
	n := int(binary.BigEndian.Uint16(d[4:6]))
	if n == 0 || n > 256 || 12+16*n > len(d) {
		return 0, nil, fmt.Errorf("sfnt: bad table count %d", n)
	}
	for i := 0; i < n; i++ {
		r := d[12+16*i:]
		rec := tableRecord{
			tag:      string(r[0:4]),
			checksum: binary.BigEndian.Uint32(r[4:8]),
			off:      binary.BigEndian.Uint32(r[8:12]),
			length:   binary.BigEndian.Uint32(r[12:16]),
		}
		if uint64(rec.off)+uint64(rec.length) > uint64(len(data)) {
			return 0, nil, fmt.Errorf("sfnt: table %q out of range", rec.tag)
		}
		recs = append(recs, rec)
	}
	return sfntVersion, recs, nil
}

// FaceFamilies lists the family name (name ID 1, Windows Unicode) of each
// face of a collection, in collection order.
func FaceFamilies(data []byte) ([]string, error) {
	offs, err := collectionOffsets(data)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(offs))
	for i, off := range offs {
		_, recs, err := tableDirectory(data, off)
		if err != nil {
			return nil, fmt.Errorf("face %d: %w", i, err)
		}
		for _, r := range recs {
			if r.tag == "name" {
				names[i] = familyName(data[r.off : r.off+r.length])
			}
		}
	}
	return names, nil
}

// familyName returns the first Windows-platform (3) family name (ID 1) of
// a 'name' table, or "" when there is none.
func familyName(t []byte) string {
	if len(t) < 6 {
		return ""
	}
	count := int(binary.BigEndian.Uint16(t[2:4]))
	strOff := int(binary.BigEndian.Uint16(t[4:6]))
	for i := 0; i < count; i++ {
		r := 6 + 12*i
		if r+12 > len(t) {
			return ""
		}
		platform := binary.BigEndian.Uint16(t[r:])
		nameID := binary.BigEndian.Uint16(t[r+6:])
		length := int(binary.BigEndian.Uint16(t[r+8:]))
		off := int(binary.BigEndian.Uint16(t[r+10:]))
		if platform != 3 || nameID != 1 {
			continue
		}
		start := strOff + off
		if start+length > len(t) || length%2 != 0 {
			return ""
		}
		u := make([]uint16, length/2)
		for j := range u {
			u[j] = binary.BigEndian.Uint16(t[start+2*j:])
		}
		return string(utf16.Decode(u))
	}
	return ""
}

// ExtractFace returns face index of a collection as a standalone font file.
func ExtractFace(data []byte, index int) ([]byte, error) {
	offs, err := collectionOffsets(data)
	if err != nil {
		return nil, err
	}
	if index < 0 || index >= len(offs) {
		return nil, fmt.Errorf("font collection: no face %d of %d", index, len(offs))
	}
	version, recs, err := tableDirectory(data, offs[index])
	if err != nil {
		return nil, err
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].tag < recs[j].tag })
	n := len(recs)
	size := 12 + 16*n
	for _, r := range recs {
		size += int(r.length+3) &^ 3
	}
	out := make([]byte, 12+16*n, size)
	binary.BigEndian.PutUint32(out[0:], version)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	sr, es := 1, 0
	for sr*2 <= n {
		sr *= 2
		es++
	}
	binary.BigEndian.PutUint16(out[6:], uint16(sr*16))
	binary.BigEndian.PutUint16(out[8:], uint16(es))
	binary.BigEndian.PutUint16(out[10:], uint16(n*16-sr*16))
	for i, r := range recs {
		rec := out[12+16*i:]
		copy(rec[0:4], r.tag)
		binary.BigEndian.PutUint32(rec[4:], r.checksum)
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], r.length)
		out = append(out, data[r.off:r.off+r.length]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out, nil
}
