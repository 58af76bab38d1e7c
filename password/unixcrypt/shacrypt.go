package unixcrypt

import (
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// SHA-crypt limits (Ulrich Drepper, "Unix crypt using SHA-256 and SHA-512",
// https://www.akkadia.org/drepper/SHA-crypt.txt).
const (
	shaSaltMax       = 16
	shaRoundsDefault = 5000
	shaRoundsMin     = 1000
	shaRoundsMax     = 999999999
	shaRoundsPrefix  = "rounds="
)

// shaVariant describes SHA-256-crypt ("$5$") or SHA-512-crypt ("$6$").
type shaVariant struct {
	prefix string
	newH   func() hash.Hash
	size   int
	order  [][3]int // byte triples of the final encoding, then the tail
	tail   []int    // remaining bytes, most significant first
}

var (
	sha256Variant = &shaVariant{
		prefix: "$5$", newH: sha256.New, size: sha256.Size,
		order: [][3]int{{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
			{15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29}},
		tail: []int{31, 30},
	}
	sha512Variant = &shaVariant{
		prefix: "$6$", newH: sha512.New, size: sha512.Size,
		order: [][3]int{{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4},
			{47, 5, 26}, {6, 27, 48}, {28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10},
			{53, 11, 32}, {12, 33, 54}, {34, 55, 13}, {56, 14, 35}, {15, 36, 57}, {37, 58, 16},
			{59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41}},
		tail: []int{63},
	}
)

// parseSHASetting splits "<prefix>[rounds=N$]salt[$...]" into rounds, whether
// rounds were given explicitly, and the salt (at most 16 characters). Out of
// range rounds are clamped as glibc does.
func (v *shaVariant) parseSetting(setting string) (rounds int, custom bool, salt string, err error) {
	rest := strings.TrimPrefix(setting, v.prefix)
	rounds = shaRoundsDefault
	if strings.HasPrefix(rest, shaRoundsPrefix) {
		num, after, ok := strings.Cut(rest[len(shaRoundsPrefix):], "$")
		if !ok {
			return 0, false, "", fmt.Errorf("%w: rounds= without '$'", ErrInvalidSetting)
		}
		n, perr := strconv.ParseUint(num, 10, 64)
		if perr != nil || num == "" || num[0] == '+' {
			return 0, false, "", fmt.Errorf("%w: rounds %q", ErrInvalidSetting, num)
		}
		rounds = int(min(max(n, shaRoundsMin), shaRoundsMax))
		custom = true
		rest = after
	}
	salt = rest
	if i := strings.IndexByte(salt, '$'); i >= 0 {
		salt = salt[:i]
	}
	if len(salt) > shaSaltMax {
		salt = salt[:shaSaltMax]
	}
	return rounds, custom, salt, nil
}

// crypt runs the SHA-crypt algorithm (Drepper, steps 1-22).
func (v *shaVariant) crypt(key, setting string) (string, error) {
	rounds, custom, salt, err := v.parseSetting(setting)
	if err != nil {
		return "", err
	}
	pw, sl := []byte(key), []byte(salt)

	// Digest B = H(pw salt pw).
	hb := v.newH()
	hb.Write(pw)
	hb.Write(sl)
	hb.Write(pw)
	b := hb.Sum(nil)

	// Digest A.
	ha := v.newH()
	ha.Write(pw)
	ha.Write(sl)
	n := len(pw)
	for ; n > v.size; n -= v.size {
		ha.Write(b)
	}
	ha.Write(b[:n])
	for n = len(pw); n > 0; n >>= 1 {
		if n&1 != 0 {
			ha.Write(b)
		} else {
			ha.Write(pw)
		}
	}
	a := ha.Sum(nil)

	// Byte sequence P from digest DP = H(pw repeated len(pw) times).
	hp := v.newH()
	for range len(pw) {
		hp.Write(pw)
	}
	p := repeatTo(hp.Sum(nil), len(pw))

	// Byte sequence S from digest DS = H(salt repeated 16+A[0] times).
	hs := v.newH()
	for range 16 + int(a[0]) {
		hs.Write(sl)
	}
	s := repeatTo(hs.Sum(nil), len(sl))

	h := v.newH()
	for i := 0; i < rounds; i++ {
		h.Reset()
		if i&1 != 0 {
			h.Write(p)
		} else {
			h.Write(a)
		}
		if i%3 != 0 {
			h.Write(s)
		}
		if i%7 != 0 {
			h.Write(p)
		}
		if i&1 != 0 {
			h.Write(a)
		} else {
			h.Write(p)
		}
		a = h.Sum(a[:0])
	}

	out := make([]byte, 0, 128)
	out = append(out, v.prefix...)
	if custom {
		out = append(out, shaRoundsPrefix...)
		out = strconv.AppendInt(out, int64(rounds), 10)
		out = append(out, '$')
	}
	out = append(out, salt...)
	out = append(out, '$')
	for _, t := range v.order {
		out = append24(out, uint32(a[t[0]])<<16|uint32(a[t[1]])<<8|uint32(a[t[2]]), 4)
	}
	var w uint32
	for _, i := range v.tail {
		w = w<<8 | uint32(a[i])
	}
	out = append24(out, w, len(v.tail)+1)
	return string(out), nil
}

// repeatTo returns n bytes made of d repeated.
func repeatTo(d []byte, n int) []byte {
	out := make([]byte, n)
	for i := 0; i < n; i += len(d) {
		copy(out[i:], d)
	}
	return out
}
