package unixcrypt

import "fmt"

// bsdiPrefix introduces BSDi extended DES ("_", libxcrypt "bsdicrypt").
const bsdiPrefix = "_"

// bsdiCrypt is BSDi extended DES crypt (FreeBSD/libxcrypt crypt-des.c,
// "new-style"): "_", four characters of iteration count and four of salt
// (each a 24-bit little-endian crypt base-64 number), eleven characters of
// hash. Unlike traditional DES every key character counts: after the first
// eight, the key block is encrypted with itself and the next eight
// characters (shifted left one bit) are XORed in, until the key ends.
func bsdiCrypt(key, setting string) (string, error) {
	if len(setting) < 9 {
		return "", fmt.Errorf("%w: BSDi setting needs 9 characters", ErrInvalidSetting)
	}
	count, ok1 := decode24(setting[1:5])
	salt, ok2 := decode24(setting[5:9])
	if !ok1 || !ok2 || count == 0 {
		return "", fmt.Errorf("%w: BSDi count or salt %q", ErrInvalidSetting, setting[:9])
	}
	var k uint64
	i := 0
	for ; i < 8; i++ {
		var c byte
		if i < len(key) {
			c = key[i]
		}
		k = k<<8 | uint64(c<<1)
	}
	for rest := key[min(8, len(key)):]; rest != ""; {
		k = desIterate(k, k, 1, 0)
		for j := 0; j < 8 && rest != ""; j++ {
			k ^= uint64(rest[0]<<1) << (56 - 8*j)
			rest = rest[1:]
		}
	}
	// Salt bit i swaps E outputs i and i+24 (counted from the first).
	var saltMask uint64
	for b := 0; b < 24; b++ {
		if salt>>b&1 != 0 {
			saltMask |= 1 << (47 - b)
		}
	}
	out := desIterate(k, 0, int(count), saltMask)
	res := make([]byte, 0, 20)
	res = append(res, setting[:9]...)
	return string(appendDESBlock(res, out)), nil
}

// decode24 reads four crypt base-64 characters, least significant first.
func decode24(s string) (uint32, bool) {
	var v uint32
	for i := 0; i < 4; i++ {
		d := index64(s[i])
		if d < 0 {
			return 0, false
		}
		v |= uint32(d) << (6 * i)
	}
	return v, true
}
