// Package whirlpool implements the Whirlpool hash function in its final
// (ISO/IEC 10118-3:2004) version by Paulo Barreto and Vincent Rijmen, the
// digest DBMail stores for encryption_type "whirlpool" (spec 4.2).
package whirlpool

import (
	"encoding/binary"
	"hash"
)

// Size is the size of a Whirlpool digest in bytes.
const Size = 64

// BlockSize is the block size of Whirlpool in bytes.
const BlockSize = 64

// digest is the running state of one Whirlpool computation. The 256-bit
// length counter of the specification is kept as two words, which covers
// every input this process can hold.
type digest struct {
	h     [8]uint64
	buf   [BlockSize]byte
	nbuf  int
	lenLo uint64 // message length in bytes, low word
	lenHi uint64 // carry of lenLo
}

// New returns a hash.Hash computing Whirlpool.
func New() hash.Hash { return &digest{} }

// Sum returns the Whirlpool digest of data.
func Sum(data []byte) [Size]byte {
	var d digest
	d.Write(data)
	var out [Size]byte
	d.checkSum(out[:0])
	return out
}

func (d *digest) Reset()         { *d = digest{} }
func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return BlockSize }

func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	old := d.lenLo
	d.lenLo += uint64(n)
	if d.lenLo < old {
		d.lenHi++
	}
	if d.nbuf > 0 {
		c := copy(d.buf[d.nbuf:], p)
		d.nbuf += c
		p = p[c:]
		if d.nbuf == BlockSize {
			d.block(d.buf[:])
			d.nbuf = 0
		}
	}
	for len(p) >= BlockSize {
		d.block(p[:BlockSize])
		p = p[BlockSize:]
	}
	d.nbuf += copy(d.buf[:], p)
	return n, nil
}

func (d *digest) Sum(in []byte) []byte {
	c := *d
	return c.checkSum(in)
}

// checkSum applies the MD-strengthening padding (a 1 bit, zeros, and the
// 256-bit big-endian bit length, ending on a block boundary) and appends the
// chaining value.
func (d *digest) checkSum(in []byte) []byte {
	lo, hi := d.lenLo, d.lenHi
	var pad [BlockSize + 32]byte
	pad[0] = 0x80
	n := 32 - int(lo%BlockSize)
	if n <= 0 {
		n += BlockSize
	}
	d.Write(pad[:n])
	var length [32]byte
	// bit length = bytes * 8 as a 256-bit big-endian integer
	binary.BigEndian.PutUint64(length[24:], lo<<3)
	binary.BigEndian.PutUint64(length[16:], hi<<3|lo>>61)
	d.Write(length[:])
	for _, w := range d.h {
		in = binary.BigEndian.AppendUint64(in, w)
	}
	return in
}

// block runs the Miyaguchi-Preneel compression: H' = W[H](m) ^ H ^ m.
func (d *digest) block(p []byte) {
	var m, k, state [8]uint64
	for i := range m {
		m[i] = binary.BigEndian.Uint64(p[8*i:])
		k[i] = d.h[i]
		state[i] = m[i] ^ k[i]
	}
	for r := 0; r < rounds; r++ {
		k = roundFunc(&k, tables.rc[r])
		state = roundFunc(&state, k)
	}
	for i := range d.h {
		d.h[i] ^= state[i] ^ m[i]
	}
}

// roundFunc computes sigma[key](theta(pi(gamma(a)))) with the combined
// tables: output row i takes byte j of input row (i-j) mod 8.
func roundFunc(a *[8]uint64, key [8]uint64) [8]uint64 {
	var out [8]uint64
	t := &tables.c
	for i := 0; i < 8; i++ {
		out[i] = t[0][byte(a[i&7]>>56)] ^
			t[1][byte(a[(i-1)&7]>>48)] ^
			t[2][byte(a[(i-2)&7]>>40)] ^
			t[3][byte(a[(i-3)&7]>>32)] ^
			t[4][byte(a[(i-4)&7]>>24)] ^
			t[5][byte(a[(i-5)&7]>>16)] ^
			t[6][byte(a[(i-6)&7]>>8)] ^
			t[7][byte(a[(i-7)&7])] ^
			key[i]
	}
	return out
}
