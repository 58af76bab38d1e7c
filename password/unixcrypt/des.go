package unixcrypt

// A DES implementation (FIPS 46-3) with the one change traditional crypt(3)
// needs: a 12-bit salt that swaps pairs of bits of the E expansion output.
// crypto/des cannot be used because it has no hook for that swap. The
// tables below are FIPS 46-3's; des_test.go checks the core against
// crypto/des with a zero salt.

// desTables are derived from the FIPS tables once and never written again.
type desTables struct {
	sp [8][64]uint32 // S-box j and the permutation P combined
	fp [64]byte      // final permutation, the inverse of IP
}

var desT = buildDESTables()

// FIPS 46-3 tables, 1-based bit numbers counted from the most significant
// bit.
var (
	desIP = [64]byte{
		58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
		62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
		57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
		61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
	}
	desPC1 = [56]byte{
		57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
		10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
		63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
		14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
	}
	desPC2 = [48]byte{
		14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10,
		23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
		41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48,
		44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
	}
	desShifts = [16]byte{1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1}
	desP      = [32]byte{
		16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
		2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
	}
	desS = [8][64]byte{
		{14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
			0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
			4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
			15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13},
		{15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
			3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
			0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
			13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9},
		{10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
			13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
			13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
			1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12},
		{7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
			13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
			10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
			3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14},
		{2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
			14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
			4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
			11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3},
		{12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
			10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
			9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
			4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13},
		{4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
			13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
			1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
			6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12},
		{13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
			1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
			7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
			2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11},
	}
)

// permute gathers bits of in (an inBits-wide value, bit 1 = most
// significant) in the order of table and returns them as a len(table)-bit
// value.
func permute(in uint64, inBits int, table []byte) uint64 {
	var out uint64
	for _, pos := range table {
		out = out<<1 | (in>>(inBits-int(pos)))&1
	}
	return out
}

func buildDESTables() *desTables {
	t := &desTables{}
	for i, p := range desIP {
		t.fp[p-1] = byte(i + 1)
	}
	for box := 0; box < 8; box++ {
		for v := 0; v < 64; v++ {
			// Row from the outer bits b1 b6, column from b2..b5.
			row := (v>>4)&2 | v&1
			col := (v >> 1) & 0xf
			s := uint64(desS[box][row*16+col])
			// Place the nibble at its position in the 32-bit S output,
			// then apply P.
			t.sp[box][v] = uint32(permute(s<<(28-4*box), 32, desP[:]))
		}
	}
	return t
}

// desSubkeys computes the 16 48-bit round keys from a 64-bit key (FIPS 46-3
// key schedule; parity bits are ignored by PC-1).
func desSubkeys(key uint64) [16]uint64 {
	var ks [16]uint64
	cd := permute(key, 64, desPC1[:])
	c, d := uint32(cd>>28), uint32(cd&0x0fffffff)
	for i := 0; i < 16; i++ {
		s := desShifts[i]
		c = (c<<s | c>>(28-s)) & 0x0fffffff
		d = (d<<s | d>>(28-s)) & 0x0fffffff
		ks[i] = permute(uint64(c)<<28|uint64(d), 56, desPC2[:])
	}
	return ks
}

// feistel is DES's f(R, K) with the crypt salt applied to E's output:
// saltMask has a bit set at each E position i (counted from the most
// significant of 48) whose pair (i, i+24) must be swapped.
func feistel(r uint32, k, saltMask uint64) uint32 {
	// E expansion: chunk j is the six bits starting at bit 4j (1-based,
	// 0 meaning bit 32), i.e. the top six bits of R rotated left 4j-1.
	var e uint64
	for j := 0; j < 8; j++ {
		rot := uint(4*j+31) & 31
		chunk := (r<<rot | r>>((32-rot)&31)) >> 26
		e = e<<6 | uint64(chunk)
	}
	t := (e ^ e<<24) & saltMask
	e ^= t | t>>24
	e ^= k
	var out uint32
	for j := 0; j < 8; j++ {
		out |= desT.sp[j][(e>>(42-6*uint(j)))&0x3f]
	}
	return out
}

// desIterate encrypts block with key count times in a row under the given
// salt mask and returns the result (IP and FP applied once each, as the
// back-to-back FP/IP pairs cancel).
func desIterate(key, block uint64, count int, saltMask uint64) uint64 {
	ks := desSubkeys(key)
	x := permute(block, 64, desIP[:])
	l, r := uint32(x>>32), uint32(x)
	for n := 0; n < count; n++ {
		for i := 0; i < 16; i++ {
			l, r = r, l^feistel(r, ks[i], saltMask)
		}
		l, r = r, l
	}
	return permute(uint64(l)<<32|uint64(r), 64, desT.fp[:])
}
