package unixcrypt

import "fmt"

// desCrypt is traditional crypt(3) (Version 7 UNIX, as in glibc and
// libxcrypt "descrypt"): the first eight password bytes, each shifted left
// one bit, form a DES key; a zero block is encrypted 25 times with the
// salted E table; the result is the two salt characters followed by eleven
// characters encoding the 64-bit block (plus two zero bits), most
// significant bits first. setting must start with two characters of the
// crypt alphabet; anything after them is ignored, as crypt(3) does.
func desCrypt(key, setting string) (string, error) {
	if len(setting) < 2 {
		return "", fmt.Errorf("%w: DES salt needs 2 characters", ErrInvalidSetting)
	}
	var saltMask uint64
	for i := 0; i < 2; i++ {
		v := index64(setting[i])
		if v < 0 {
			return "", fmt.Errorf("%w: DES salt character %q", ErrInvalidSetting, setting[i])
		}
		// Salt bit j of character i swaps E outputs 6i+j and 6i+j+24
		// (0-based from the first E output bit = bit 47 of our value).
		for j := 0; j < 6; j++ {
			if v>>j&1 != 0 {
				saltMask |= 1 << (47 - (6*i + j))
			}
		}
	}
	var k uint64
	for i := 0; i < 8; i++ {
		var c byte
		if i < len(key) {
			c = key[i]
		}
		k = k<<8 | uint64(c<<1)
	}
	out := desIterate(k, 0, 25, saltMask)
	res := make([]byte, 0, 13)
	res = append(res, setting[0], setting[1])
	return string(appendDESBlock(res, out)), nil
}

// appendDESBlock appends the eleven characters encoding a 64-bit DES
// result plus two zero bits, most significant six bits first.
func appendDESBlock(dst []byte, v uint64) []byte {
	for i := 0; i < 11; i++ {
		shift := 58 - 6*i
		var c uint64
		if shift >= 0 {
			c = v >> uint(shift) & 0x3f
		} else {
			c = v << uint(-shift) & 0x3f
		}
		dst = append(dst, alphabet[c])
	}
	return dst
}
