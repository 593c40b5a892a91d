package attr

import (
	"encoding/binary"
	"errors"
)

// errCorrupt reports a stored item that does not decode.
var errCorrupt = errors.New("attr: corrupt stored item")

// AppendItem appends the compact binary storage form of it to dst.
func AppendItem(dst []byte, it Item) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(it)))
	for k, v := range it {
		dst = appendBytes(dst, k)
		dst = appendValue(dst, v)
	}
	return dst
}

func appendBytes[T string | []byte](dst []byte, s T) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendValue(dst []byte, v *Value) []byte {
	dst = append(dst, byte(v.T))
	switch v.T {
	case S, N:
		dst = appendBytes(dst, v.S)
	case B:
		dst = appendBytes(dst, v.B)
	case BOOL:
		if v.Bool {
			dst = append(dst, 1)
		} else {
			dst = append(dst, 0)
		}
	case M:
		dst = AppendItem(dst, v.M)
	case L:
		dst = binary.AppendUvarint(dst, uint64(len(v.L)))
		for _, e := range v.L {
			dst = appendValue(dst, e)
		}
	case SS, NS:
		dst = binary.AppendUvarint(dst, uint64(len(v.SS)))
		for _, s := range v.SS {
			dst = appendBytes(dst, s)
		}
	case BS:
		dst = binary.AppendUvarint(dst, uint64(len(v.BS)))
		for _, b := range v.BS {
			dst = appendBytes(dst, b)
		}
	}
	return dst
}

// DecodeItem reads an item written by AppendItem.
func DecodeItem(b []byte) (Item, error) {
	d := decoder{b: b}
	it := d.item()
	if d.err != nil {
		return nil, d.err
	}
	return it, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() int {
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > uint64(len(d.b)) {
		d.err = errCorrupt
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return int(v)
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > len(d.b) {
		d.err = errCorrupt
		d.b = nil
		return nil
	}
	out := make([]byte, n)
	copy(out, d.b[:n])
	d.b = d.b[n:]
	return out
}

func (d *decoder) str() string {
	n := d.uvarint()
	if n > len(d.b) {
		d.err = errCorrupt
		d.b = nil
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) item() Item {
	n := d.uvarint()
	it := make(Item, n)
	for i := 0; i < n && d.err == nil; i++ {
		k := d.str()
		it[k] = d.value()
	}
	return it
}

func (d *decoder) value() *Value {
	if len(d.b) == 0 {
		d.err = errCorrupt
		return &Value{T: NULL}
	}
	v := &Value{T: Type(d.b[0])}
	d.b = d.b[1:]
	switch v.T {
	case S, N:
		v.S = d.str()
	case B:
		v.B = d.bytes()
	case BOOL:
		if len(d.b) == 0 {
			d.err = errCorrupt
			return v
		}
		v.Bool = d.b[0] == 1
		d.b = d.b[1:]
	case NULL:
	case M:
		v.M = d.item()
	case L:
		n := d.uvarint()
		v.L = make([]*Value, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			v.L = append(v.L, d.value())
		}
	case SS, NS:
		n := d.uvarint()
		v.SS = make([]string, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			v.SS = append(v.SS, d.str())
		}
	case BS:
		n := d.uvarint()
		v.BS = make([][]byte, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			v.BS = append(v.BS, d.bytes())
		}
	default:
		d.err = errCorrupt
	}
	return v
}
