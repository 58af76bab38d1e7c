package delivery

import (
	"strings"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/message"
)

// MatchFilter returns the first dbmail_filters rule whose header has a value
// matching the rule's case-insensitive SQL LIKE pattern (spec 6.6 step 2),
// or nil.
func MatchFilter(filters []db.Filter, m *message.Message) *db.Filter {
	for i := range filters {
		f := &filters[i]
		for _, v := range m.HeaderValues(f.HeaderName) {
			if LikeMatch(strings.ToLower(f.HeaderValue), strings.ToLower(v)) {
				return f
			}
		}
	}
	return nil
}

// LikeMatch matches s against an SQL LIKE pattern (`%` any run, `_` one
// character, `\` escapes) in linear time.
func LikeMatch(pattern, s string) bool {
	p := []rune(pattern)
	t := []rune(s)
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && p[pi] == '\\' && pi+1 < len(p) && p[pi+1] == t[ti]:
			pi += 2
			ti++
		case pi < len(p) && (p[pi] == '_' || (p[pi] != '%' && p[pi] != '\\' && p[pi] == t[ti])):
			pi++
			ti++
		case pi < len(p) && p[pi] == '%':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}
