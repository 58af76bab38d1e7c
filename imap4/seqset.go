package imap4

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// SeqRange is one element of a sequence set: a single number (Start ==
// Stop) or a range. The value 0 stands for "*", the largest number in use
// (RFC 3501 §9 seq-number). Ranges are kept as the client wrote them; RFC
// 3501 §9 says "2:4" and "4:2" are equivalent, which Contains honours.
type SeqRange struct {
	Start, Stop uint32
}

// SeqSet is a parsed sequence-set (RFC 3501 §9 sequence-set) or the saved
// search result "$" (RFC 5182 §2).
type SeqSet struct {
	Ranges []SeqRange
	// Saved is true for "$", the result of the last SEARCH RETURN (SAVE).
	Saved bool
}

// Star is the value used in a SeqRange for "*".
const Star uint32 = 0

// ParseSeqSet parses an RFC 3501 §9 sequence-set or the RFC 5182 "$".
// Numbers are nz-number (1..4294967295, no leading zero).
func ParseSeqSet(s string) (SeqSet, error) {
	if s == "$" {
		return SeqSet{Saved: true}, nil
	}
	if s == "" {
		return SeqSet{}, errors.New("empty sequence set")
	}
	n := strings.Count(s, ",") + 1
	set := SeqSet{Ranges: make([]SeqRange, 0, n)}
	for part := range strings.SplitSeq(s, ",") {
		r, err := parseSeqRange(part)
		if err != nil {
			return SeqSet{}, err
		}
		set.Ranges = append(set.Ranges, r)
	}
	return set, nil
}

func parseSeqRange(s string) (SeqRange, error) {
	lo, hi, isRange := strings.Cut(s, ":")
	a, err := parseSeqNumber(lo)
	if err != nil {
		return SeqRange{}, err
	}
	if !isRange {
		return SeqRange{Start: a, Stop: a}, nil
	}
	b, err := parseSeqNumber(hi)
	if err != nil {
		return SeqRange{}, err
	}
	return SeqRange{Start: a, Stop: b}, nil
}

// parseSeqNumber parses seq-number = nz-number / "*" (RFC 3501 §9).
func parseSeqNumber(s string) (uint32, error) {
	if s == "*" {
		return Star, nil
	}
	if s == "" {
		return 0, errors.New("empty number in sequence set")
	}
	if s[0] == '0' {
		return 0, fmt.Errorf("invalid number %q in sequence set: must be nonzero without leading zero", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("invalid character %q in sequence set", s[i])
		}
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("number %s in sequence set out of range", s)
	}
	return uint32(v), nil
}

// Dynamic reports whether the set uses "*" (its meaning depends on the
// mailbox size) or is "$".
func (s SeqSet) Dynamic() bool {
	if s.Saved {
		return true
	}
	for _, r := range s.Ranges {
		if r.Start == Star || r.Stop == Star {
			return true
		}
	}
	return false
}

// Contains reports whether num is in the set, with "*" standing for max.
// It cannot answer for "$"; callers resolve the saved result first.
func (s SeqSet) Contains(num, max uint32) bool {
	for _, r := range s.Ranges {
		lo, hi := r.bounds(max)
		if num >= lo && num <= hi {
			return true
		}
	}
	return false
}

// bounds returns the range ordered low to high with "*" replaced by max.
func (r SeqRange) bounds(max uint32) (uint32, uint32) {
	lo, hi := r.Start, r.Stop
	if lo == Star {
		lo = max
	}
	if hi == Star {
		hi = max
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi
}

// Resolve replaces "*" by max and returns the set as sorted, merged,
// non-overlapping ranges. It is what a handler iterates over.
func (s SeqSet) Resolve(max uint32) []SeqRange {
	out := make([]SeqRange, 0, len(s.Ranges))
	for _, r := range s.Ranges {
		lo, hi := r.bounds(max)
		out = append(out, SeqRange{Start: lo, Stop: hi})
	}
	return mergeRanges(out)
}

func mergeRanges(rs []SeqRange) []SeqRange {
	if len(rs) < 2 {
		return rs
	}
	slices.SortFunc(rs, func(a, b SeqRange) int {
		switch {
		case a.Start < b.Start:
			return -1
		case a.Start > b.Start:
			return 1
		}
		return 0
	})
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if uint64(r.Start) <= uint64(last.Stop)+1 {
			if r.Stop > last.Stop {
				last.Stop = r.Stop
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// String formats the set in wire form; it is the inverse of ParseSeqSet.
func (s SeqSet) String() string {
	if s.Saved {
		return "$"
	}
	return string(s.AppendTo(nil))
}

// AppendTo appends the wire form of the set to b.
func (s SeqSet) AppendTo(b []byte) []byte {
	if s.Saved {
		return append(b, '$')
	}
	for i, r := range s.Ranges {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSeqNumber(b, r.Start)
		if r.Stop != r.Start {
			b = append(b, ':')
			b = appendSeqNumber(b, r.Stop)
		}
	}
	return b
}

func appendSeqNumber(b []byte, n uint32) []byte {
	if n == Star {
		return append(b, '*')
	}
	return strconv.AppendUint(b, uint64(n), 10)
}

// CompressSeqSet builds the shortest sequence set naming exactly nums, as
// used in ESEARCH ALL (RFC 4731 §3.1), UIDPLUS COPYUID/APPENDUID (RFC 4315
// §3) and VANISHED (RFC 7162 §3.2.10). nums may be unsorted and contain
// duplicates; zeros are ignored. nums is not modified.
func CompressSeqSet(nums []uint32) SeqSet {
	sorted := make([]uint32, 0, len(nums))
	for _, n := range nums {
		if n != 0 {
			sorted = append(sorted, n)
		}
	}
	slices.Sort(sorted)
	var set SeqSet
	for _, n := range sorted {
		if k := len(set.Ranges); k > 0 {
			last := &set.Ranges[k-1]
			if n == last.Stop {
				continue
			}
			if n == last.Stop+1 {
				last.Stop = n
				continue
			}
		}
		set.Ranges = append(set.Ranges, SeqRange{Start: n, Stop: n})
	}
	return set
}
