package sieve

import (
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// comparator is one of the RFC 4790 collations Sieve supports
// (RFC 5228 §2.7.3).
type comparator int

const (
	cmpCasemap comparator = iota // i;ascii-casemap, the default
	cmpOctet                     // i;octet
	cmpNumeric                   // i;ascii-numeric (RFC 4790 §9.1)
)

// matchType is the match type of a test (RFC 5228 §2.7.1, RFC 5231,
// draft-ietf-sieve-regex).
type matchType int

const (
	mIs matchType = iota
	mContains
	mMatches
	mRegex
	mCount
	mValue
)

// relOp is a relational operator (RFC 5231 §5).
type relOp int

const (
	relGT relOp = iota
	relGE
	relLT
	relLE
	relEQ
	relNE
)

var relOps = map[string]relOp{"gt": relGT, "ge": relGE, "lt": relLT, "le": relLE, "eq": relEQ, "ne": relNE}

func (r relOp) holds(c int) bool {
	switch r {
	case relGT:
		return c > 0
	case relGE:
		return c >= 0
	case relLT:
		return c < 0
	case relLE:
		return c <= 0
	case relEQ:
		return c == 0
	}
	return c != 0
}

// matcher is a compiled COMPARATOR + MATCH-TYPE + key list.
type matcher struct {
	mt   matchType
	rel  relOp
	cmp  comparator
	keys []strValue
	re   []*regexp.Regexp // per key, compiled at compile time when constant
	// splitKeys splits each expanded key at white space (hasflag keys are
	// flag lists, RFC 5232 §4.4).
	splitKeys bool
}

// upperASCII maps a-z to A-Z, the i;ascii-casemap canonical form
// (RFC 4790 §9.2).
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// numericPrefix returns the leading digits of s without leading zeros and
// whether s starts with a digit; a string without one is "positive
// infinity" (RFC 4790 §9.1.1).
func numericPrefix(s string) (string, bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return "", false
	}
	d := strings.TrimLeft(s[:i], "0")
	return d, true
}

// compare orders a and b under the comparator: <0, 0, >0.
func (c comparator) compare(a, b string) int {
	switch c {
	case cmpOctet:
		return strings.Compare(a, b)
	case cmpCasemap:
		return strings.Compare(upperASCII(a), upperASCII(b))
	}
	da, fa := numericPrefix(a)
	db, fb := numericPrefix(b)
	switch {
	case !fa && !fb:
		return 0
	case !fa:
		return 1
	case !fb:
		return -1
	}
	if len(da) != len(db) {
		if len(da) < len(db) {
			return -1
		}
		return 1
	}
	return strings.Compare(da, db)
}

func (c comparator) equal(a, b string) bool {
	switch c {
	case cmpOctet:
		return a == b
	case cmpCasemap:
		return len(a) == len(b) && upperASCII(a) == upperASCII(b)
	}
	return c.compare(a, b) == 0
}

func (c comparator) contains(s, sub string) bool {
	if c == cmpCasemap {
		return strings.Contains(upperASCII(s), upperASCII(sub))
	}
	return strings.Contains(s, sub)
}

// globTok is one element of a compiled :matches pattern.
type globTok struct {
	kind byte // 'l' literal, '?' one character, '*' any sequence
	b    byte
	wild int // index of the wildcard among all wildcards
}

// compileGlob turns a :matches key into tokens; "\" quotes the next
// character (RFC 5228 §2.7.1). i;octet and i;ascii-casemap define a
// character as one octet, so the pattern works on bytes.
func compileGlob(key string) ([]globTok, int) {
	toks := make([]globTok, 0, len(key))
	nwild := 0
	for i := 0; i < len(key); i++ {
		switch c := key[i]; c {
		case '*', '?':
			toks = append(toks, globTok{kind: c, wild: nwild})
			nwild++
		case '\\':
			if i+1 < len(key) {
				i++
				c = key[i]
			}
			toks = append(toks, globTok{kind: 'l', b: c})
		default:
			toks = append(toks, globTok{kind: 'l', b: c})
		}
	}
	return toks, nwild
}

func foldByte(c byte, fold bool) byte {
	if fold && c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// globMatch matches s against pat in O(len(s)*len(pat)) time: each "*"
// first takes the shortest possible text and only the most recent star is
// widened on a mismatch, so there is no exponential backtracking. Earlier
// wildcards match as little as possible, which gives the match variables
// RFC 5229 §3.2 shows. caps receives [start,end) byte offsets per wildcard.
func globMatch(s string, pat []globTok, fold bool, caps [][2]int) bool {
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(s) || pi < len(pat) {
		if pi < len(pat) {
			t := pat[pi]
			switch t.kind {
			case '*':
				caps[t.wild] = [2]int{si, si}
				starP, starS = pi, si
				pi++
				continue
			case '?':
				if si < len(s) {
					caps[t.wild] = [2]int{si, si + 1}
					si++
					pi++
					continue
				}
			default:
				if si < len(s) && foldByte(s[si], fold) == foldByte(t.b, fold) {
					si++
					pi++
					continue
				}
			}
		}
		if starP < 0 || starS >= len(s) {
			return false
		}
		starS++
		caps[pat[starP].wild][1] = starS
		pi, si = starP+1, starS
	}
	return true
}

// quoteWildcard escapes the :matches wildcards (RFC 5229 §4.1.3).
func quoteWildcard(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '*' || r == '?' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// compileRegex compiles a :regex key with Go's linear-time RE2 engine;
// i;ascii-casemap makes it case-insensitive (draft-ietf-sieve-regex §3).
// The draft asks for POSIX extended expressions, so matching is
// leftmost-longest; the accepted syntax is RE2's, a superset of ERE
// without back-references.
func compileRegex(key string, cmp comparator) (*regexp.Regexp, error) {
	if cmp == cmpCasemap {
		// Check the key alone first so that errors quote what the user wrote.
		if _, err := syntax.Parse(key, syntax.Perl); err != nil {
			return nil, err
		}
		key = "(?i)" + key
	}
	re, err := regexp.Compile(key)
	if err != nil {
		return nil, err
	}
	re.Longest()
	return re, nil
}

// matchValue tests one value against one expanded key and returns the
// match variables for :matches and :regex (nil when not applicable).
func (mt *matcher) matchValue(value, key string, re *regexp.Regexp) (bool, []string, error) {
	switch mt.mt {
	case mIs:
		return mt.cmp.equal(value, key), nil, nil
	case mContains:
		return mt.cmp.contains(value, key), nil, nil
	case mValue:
		return mt.rel.holds(mt.cmp.compare(value, key)), nil, nil
	case mMatches:
		toks, nwild := compileGlob(key)
		caps := make([][2]int, nwild)
		if !globMatch(value, toks, mt.cmp == cmpCasemap, caps) {
			return false, nil, nil
		}
		vars := make([]string, 1+nwild)
		vars[0] = value
		for i, c := range caps {
			vars[i+1] = value[c[0]:c[1]]
		}
		return true, vars, nil
	case mRegex:
		if re == nil {
			var err error
			re, err = compileRegex(key, mt.cmp)
			if err != nil {
				return false, nil, err
			}
		}
		m := re.FindStringSubmatch(value)
		if m == nil {
			return false, nil, nil
		}
		return true, m, nil
	}
	return false, nil, nil
}

// countMatches implements :count (RFC 5231 §4.2): the number of values is
// compared with each key using the comparator.
func (mt *matcher) countMatches(n int, key string) bool {
	return mt.rel.holds(mt.cmp.compare(strconv.Itoa(n), key))
}
