// Package tiger implements the Tiger/192 hash function of Ross Anderson and
// Eli Biham ("Tiger: A Fast New Hash Function", FSE 1996), with the original
// 0x01 padding and the standard little-endian output byte order, the form
// DBMail stores for encryption_type "tiger" (spec 4.2):
// Tiger("") = 3293ac630c13f0245f92bbb1766e16167a4e58492dde73f3.
package tiger

import (
	"encoding/binary"
	"hash"
)

// Size is the size of a Tiger/192 digest in bytes.
const Size = 24

// BlockSize is the block size of Tiger in bytes.
const BlockSize = 64

// digest is the running state of one Tiger computation.
type digest struct {
	a, b, c uint64
	buf     [BlockSize]byte
	nbuf    int
	length  uint64
}

// New returns a hash.Hash computing Tiger/192.
func New() hash.Hash {
	d := &digest{}
	d.Reset()
	return d
}

// Sum returns the Tiger/192 digest of data.
func Sum(data []byte) [Size]byte {
	var d digest
	d.Reset()
	d.Write(data)
	var out [Size]byte
	d.checkSum(out[:0])
	return out
}

func (d *digest) Reset() {
	d.a, d.b, d.c = initA, initB, initC
	d.nbuf = 0
	d.length = 0
}

func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return BlockSize }

func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	d.length += uint64(n)
	if d.nbuf > 0 {
		c := copy(d.buf[d.nbuf:], p)
		d.nbuf += c
		p = p[c:]
		if d.nbuf == BlockSize {
			compress(&sboxes, &d.a, &d.b, &d.c, d.buf[:])
			d.nbuf = 0
		}
	}
	for len(p) >= BlockSize {
		compress(&sboxes, &d.a, &d.b, &d.c, p[:BlockSize])
		p = p[BlockSize:]
	}
	d.nbuf += copy(d.buf[:], p)
	return n, nil
}

func (d *digest) Sum(in []byte) []byte {
	c := *d // do not disturb the caller's running state
	return c.checkSum(in)
}

// checkSum pads the message (0x01, zeros, 64-bit little-endian bit length)
// and appends the three state words in little-endian byte order.
func (d *digest) checkSum(in []byte) []byte {
	bitLen := d.length << 3
	var pad [BlockSize + 8]byte
	pad[0] = 0x01
	n := 56 - int(d.length%BlockSize)
	if n <= 0 {
		n += BlockSize
	}
	d.Write(pad[:n])
	binary.LittleEndian.PutUint64(pad[:8], bitLen)
	d.Write(pad[:8])
	in = binary.LittleEndian.AppendUint64(in, d.a)
	in = binary.LittleEndian.AppendUint64(in, d.b)
	in = binary.LittleEndian.AppendUint64(in, d.c)
	return in
}
