package tiger

import "encoding/binary"

// Initial chaining values (Tiger reference implementation).
const (
	initA = 0x0123456789ABCDEF
	initB = 0xFEDCBA9876543210
	initC = 0xF096A5B4C3B2E187
)

// table holds the four 8x64 S-boxes t1..t4 back to back (1024 words).
type table [1024]uint64

// round is one Tiger round: mix x into c and update a and b through the
// S-boxes; bytes of c are taken least significant first.
func round(t *table, a, b, c *uint64, x, mul uint64) {
	*c ^= x
	cc := *c
	*a -= t[0*256+int(byte(cc))] ^ t[1*256+int(byte(cc>>16))] ^ t[2*256+int(byte(cc>>32))] ^ t[3*256+int(byte(cc>>48))]
	*b += t[3*256+int(byte(cc>>8))] ^ t[2*256+int(byte(cc>>24))] ^ t[1*256+int(byte(cc>>40))] ^ t[0*256+int(byte(cc>>56))]
	*b *= mul
}

func pass(t *table, a, b, c *uint64, x *[8]uint64, mul uint64) {
	round(t, a, b, c, x[0], mul)
	round(t, b, c, a, x[1], mul)
	round(t, c, a, b, x[2], mul)
	round(t, a, b, c, x[3], mul)
	round(t, b, c, a, x[4], mul)
	round(t, c, a, b, x[5], mul)
	round(t, a, b, c, x[6], mul)
	round(t, b, c, a, x[7], mul)
}

func keySchedule(x *[8]uint64) {
	x[0] -= x[7] ^ 0xA5A5A5A5A5A5A5A5
	x[1] ^= x[0]
	x[2] += x[1]
	x[3] -= x[2] ^ ((^x[1]) << 19)
	x[4] ^= x[3]
	x[5] += x[4]
	x[6] -= x[5] ^ ((^x[4]) >> 23)
	x[7] ^= x[6]
	x[0] += x[7]
	x[1] -= x[0] ^ ((^x[7]) << 19)
	x[2] ^= x[1]
	x[3] += x[2]
	x[4] -= x[3] ^ ((^x[2]) >> 23)
	x[5] ^= x[4]
	x[6] += x[5]
	x[7] -= x[6] ^ 0x0123456789ABCDEF
}

// compress runs the three-pass Tiger compression function over one 64-byte
// block (eight little-endian words) with feed-forward.
func compress(t *table, a, b, c *uint64, block []byte) {
	var x [8]uint64
	for i := range x {
		x[i] = binary.LittleEndian.Uint64(block[8*i:])
	}
	aa, bb, cc := *a, *b, *c
	pass(t, a, b, c, &x, 5)
	keySchedule(&x)
	pass(t, c, a, b, &x, 7)
	keySchedule(&x)
	pass(t, b, c, a, &x, 9)
	*a ^= aa
	*b -= bb
	*c += cc
}
