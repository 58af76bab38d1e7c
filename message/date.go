package message

import (
	"strconv"
	"strings"
	"time"
)

// ParseDate parses an RFC 5322 §3.3 date-time leniently (obsolete forms of
// §4.3 included: missing day name or seconds, two-digit years, named zones,
// comments, odd punctuation), keeping the date's own offset.
func ParseDate(s string) (time.Time, bool) {
	var (
		day, month, year = -1, -1, -1
		hh, mm, ss       = 0, 0, 0
		haveTime         bool
		zone             = 0
		haveZone         bool
	)
	for _, tok := range dateTokens(s) {
		switch {
		case !haveTime && strings.Contains(tok, ":"):
			parts := strings.Split(tok, ":")
			if len(parts) < 2 || len(parts) > 3 {
				return time.Time{}, false
			}
			var ok bool
			if hh, ok = atoiRange(parts[0], 0, 23); !ok {
				return time.Time{}, false
			}
			if mm, ok = atoiRange(parts[1], 0, 59); !ok {
				return time.Time{}, false
			}
			if len(parts) == 3 {
				if ss, ok = atoiRange(parts[2], 0, 60); !ok {
					return time.Time{}, false
				}
			}
			haveTime = true
		case !haveZone && len(tok) == 5 && (tok[0] == '+' || tok[0] == '-'):
			v, ok := atoiRange(tok[1:], 0, 9999)
			if !ok || v%100 > 59 {
				continue
			}
			zone = (v/100*60 + v%100) * 60
			if tok[0] == '-' {
				zone = -zone
			}
			haveZone = true
		case isDigits(tok):
			v, _ := strconv.Atoi(tok)
			switch {
			case day < 0 && len(tok) <= 2 && v >= 1 && v <= 31:
				day = v
			case year < 0 && len(tok) == 4:
				year = v
			case year < 0 && len(tok) == 2 && day >= 0:
				if v < 50 {
					year = 2000 + v
				} else {
					year = 1900 + v
				}
			case year < 0 && len(tok) == 3 && day >= 0:
				year = 1900 + v
			}
		case isISODate(tok):
			year, _ = strconv.Atoi(tok[0:4])
			month, _ = strconv.Atoi(tok[5:7])
			day, _ = strconv.Atoi(tok[8:10])
		default:
			lower := strings.ToLower(tok)
			if month < 0 && len(lower) >= 3 {
				if m := monthIndex(lower[:3]); m > 0 {
					month = m
					continue
				}
			}
			if !haveZone {
				if off, ok := namedZone(strings.ToUpper(tok)); ok {
					zone = off * 3600
					haveZone = true
				}
			}
		}
	}
	if day < 0 || month < 0 || year < 0 || month > 12 || day > 31 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hh, mm, ss, 0, time.FixedZone("", zone))
	if t.Day() != day {
		return time.Time{}, false // 31 February and the like
	}
	return t, true
}

// namedZone returns the offset in hours of a zone name RFC 5322 §4.3
// defines.
func namedZone(name string) (int, bool) {
	switch name {
	case "UT", "UTC", "GMT", "Z":
		return 0, true
	case "EST":
		return -5, true
	case "EDT":
		return -4, true
	case "CST":
		return -6, true
	case "CDT":
		return -5, true
	case "MST":
		return -7, true
	case "MDT":
		return -6, true
	case "PST":
		return -8, true
	case "PDT":
		return -7, true
	}
	return 0, false
}

// dateTokens splits a date into words, dropping comments and separators.
func dateTokens(s string) []string {
	var toks []string
	depth := 0
	start := -1
	flush := func(i int) {
		if start >= 0 {
			toks = append(toks, s[start:i])
			start = -1
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '(':
			flush(i)
			depth++
		case c == ')':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n':
			flush(i)
		default:
			if start < 0 {
				start = i
			}
		}
	}
	flush(len(s))
	return toks
}

func monthIndex(m string) int {
	for i, name := range []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} {
		if m == name {
			return i + 1
		}
	}
	return 0
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isISODate(s string) bool {
	return len(s) == 10 && isDigits(s[0:4]) && s[4] == '-' && isDigits(s[5:7]) && s[7] == '-' && isDigits(s[8:10])
}

func atoiRange(s string, lo, hi int) (int, bool) {
	if !isDigits(s) || len(s) > 4 {
		return 0, false
	}
	v, _ := strconv.Atoi(s)
	return v, v >= lo && v <= hi
}
