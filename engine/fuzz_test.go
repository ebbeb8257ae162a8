package engine

import (
	"bytes"
	"testing"
)

// FuzzDecodeEntry feeds arbitrary bytes to the entry decoder: it must never
// panic or read out of bounds, and whatever it accepts must re-encode to the
// same bytes.
func FuzzDecodeEntry(f *testing.F) {
	for _, c := range []struct {
		kind Type
		exp  int64
		k, v string
	}{
		{TypeString, 0, "key", "value"},
		{TypeString, 1700000000000, "k", ""},
		{typeTombstone, 0, "gone", "\x05"},
		{TypeHash, 0, "", "x"},
	} {
		b := make([]byte, entrySize(len(c.k), len(c.v), 42, c.exp))
		encodeEntry(b, c.kind, 3, SlotOf([]byte(c.k)), 42, c.exp, 7, []byte(c.k), []byte(c.v))
		f.Add(b)
		f.Add(b[:len(b)-1])
		bad := append([]byte(nil), b...)
		bad[len(bad)-1] ^= 1
		f.Add(bad)
	}
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 40))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := decodeEntry(b)
		if err != nil {
			return
		}
		if h.size > len(b) || h.keyOff+h.keyLen+h.valLen != h.size {
			t.Fatalf("accepted header out of bounds: %+v len %d", h, len(b))
		}
		re := make([]byte, entrySize(h.keyLen, h.valLen, h.version, h.expireAt))
		encodeEntry(re, h.kind, h.db, h.slot, h.version, h.expireAt, binaryLE32(b[offClock:]), h.key(b), h.value(b))
		// The varints may have been encoded non-minimally in the input; the
		// checksum covers them, so compare decoded fields instead of bytes.
		h2, err := decodeEntry(re)
		if err != nil || h2.kind != h.kind || h2.version != h.version || h2.expireAt != h.expireAt ||
			!bytes.Equal(h2.key(re), h.key(b)) || !bytes.Equal(h2.value(re), h.value(b)) {
			t.Fatalf("re-encoding changed the entry: %+v vs %+v (%v)", h, h2, err)
		}
		if ph := parseHeader(b); ph.size != h.size {
			t.Fatalf("parseHeader disagrees with decodeEntry: %d vs %d", ph.size, h.size)
		}
	})
}
