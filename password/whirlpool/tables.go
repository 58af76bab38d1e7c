package whirlpool

// rounds is the number of rounds of the final Whirlpool (R = 10).
const rounds = 10

// roundTables are the S-box combined with the diffusion layer, and the
// round constants. Nothing here is typed in: everything is derived from the
// specification's definitions (Barreto & Rijmen, "The WHIRLPOOL Hashing
// Function", §§ 2-4, final version) and pinned by the NESSIE test vectors.
type roundTables struct {
	c  [8][256]uint64 // c[j][x]: S[x] times row j of the circulant matrix C
	rc [rounds][8]uint64
}

// tables is computed once at package initialisation and never written again.
var tables = buildTables()

// sbox builds the 8x8 S-box from the 4-bit mini-boxes E, E^-1 and R in
// the three-layer structure of the final version (spec §2.1, figure 1).
func sbox() [256]byte {
	miniE := [16]byte{0x1, 0xB, 0x9, 0xC, 0xD, 0x6, 0xF, 0x3, 0xE, 0x8, 0x7, 0x4, 0xA, 0x2, 0x5, 0x0}
	miniR := [16]byte{0x7, 0xC, 0xB, 0xD, 0xE, 0x4, 0x9, 0xF, 0x6, 0x3, 0x8, 0xA, 0x2, 0x5, 0x1, 0x0}
	var einv [16]byte
	for i, v := range miniE {
		einv[v] = byte(i)
	}
	var s [256]byte
	for u := 0; u < 256; u++ {
		a := miniE[u>>4]
		b := einv[u&15]
		r := miniR[a^b]
		s[u] = miniE[a^r]<<4 | einv[b^r]
	}
	return s
}

// gmul multiplies in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1 (0x11D).
func gmul(a, b byte) byte {
	var p byte
	for b != 0 {
		if b&1 != 0 {
			p ^= a
		}
		hi := a & 0x80
		a <<= 1
		if hi != 0 {
			a ^= 0x1D
		}
		b >>= 1
	}
	return p
}

func buildTables() *roundTables {
	s := sbox()
	// First row of the circulant diffusion matrix C = cir(1,1,4,1,8,5,2,9);
	// row k is that row rotated right by k, so C[k][j] = circ[(j-k) mod 8].
	circ := [8]byte{1, 1, 4, 1, 8, 5, 2, 9}
	t := &roundTables{}
	for k := 0; k < 8; k++ {
		for x := 0; x < 256; x++ {
			var w uint64
			for j := 0; j < 8; j++ {
				w = w<<8 | uint64(gmul(s[x], circ[(j-k+8)&7]))
			}
			t.c[k][x] = w
		}
	}
	// Round constant r (1-based): row 0 holds S[8(r-1)+j], other rows zero.
	for r := 0; r < rounds; r++ {
		var w uint64
		for j := 0; j < 8; j++ {
			w = w<<8 | uint64(s[8*r+j])
		}
		t.rc[r][0] = w
	}
	return t
}
