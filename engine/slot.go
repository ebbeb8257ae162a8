package engine

// crc16Table is CRC16-CCITT (XMODEM), the checksum Redis Cluster uses for
// key slots.
var crc16Table = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for j := 0; j < 8; j++ {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

func crc16(b []byte) uint16 {
	var c uint16
	for _, x := range b {
		c = c<<8 ^ crc16Table[byte(c>>8)^x]
	}
	return c
}

// SlotOf returns the Redis Cluster slot of key: CRC16 of the key, or of the
// part between the first '{' and the next '}' when that part is non-empty,
// modulo 16384.
func SlotOf(key []byte) uint16 {
	for i, c := range key {
		if c == '{' {
			for j := i + 1; j < len(key); j++ {
				if key[j] == '}' {
					if j > i+1 {
						key = key[i+1 : j]
					}
					return crc16(key) & (NumSlots - 1)
				}
			}
			break
		}
	}
	return crc16(key) & (NumSlots - 1)
}
